export { InProcessUsageLedger } from './memoryLedger.js';
export { RedisUsageLedger } from './redisLedger.js';
export {
  USAGE_DIMENSIONS,
  type UsageDimension,
  type UsageLedger,
  type UsageQuery,
  type UsageRecord,
  type UsageRow,
  type UsageTotals,
  usageCallKey,
  utcDay,
} from './types.js';
