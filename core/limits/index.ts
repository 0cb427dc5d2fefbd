export { loadRateLimits } from './config.js';
export { isLocalRateLimitError, LocalRateLimitError, throwIfLimited } from './errors.js';
export { InProcessRateLimiter } from './memoryLimiter.js';
export { RedisRateLimiter } from './redisLimiter.js';
export type {
  AcquireRequest,
  RateLimitConfig,
  RateLimitDecision,
  RateLimiter,
  RateLimitRule,
} from './types.js';
export { RESERVED_SLOT, slotRequest } from './types.js';
