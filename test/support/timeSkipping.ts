// Temporal's time-skipping test server for tests of long durable waits (deferrals, idle timeouts,
// approval timeouts): while the client awaits a result and no activity runs, the server jumps its
// clock to the next timer, so an hour's wait takes milliseconds. The dev server stays the default:
// this server has no visibility queries and no eager start.
import proto from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ensureTimeSkippingServer } from '../../scripts/provision.js';
import { searchAttributeKeys } from '../../workflows/searchAttributes.js';

type IndexedValueType = proto.temporal.api.enums.v1.IndexedValueType;
const { IndexedValueType } = proto.temporal.api.enums.v1;
const INDEXED_TYPE: Record<string, IndexedValueType> = {
  KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  DOUBLE: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  INT: IndexedValueType.INDEXED_VALUE_TYPE_INT,
};

/**
 * A time-skipping test server owned by this process (the provisioned binary when there is one),
 * with our search attributes registered as on the dev server.
 */
export async function startTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  const path = ensureTimeSkippingServer((line) => console.error(line));
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: path ? { executable: { type: 'existing-path', path } } : {},
  });
  const searchAttributes: Record<string, IndexedValueType> = {};
  for (const key of searchAttributeKeys) {
    const type = INDEXED_TYPE[key.type];
    if (type === undefined) throw new Error(`no indexed type for search attribute ${key.name} (${key.type})`);
    searchAttributes[key.name] = type;
  }
  await env.connection.operatorService.addSearchAttributes({ namespace: 'default', searchAttributes });
  return env;
}
