// At start-up the worker checks that the namespace has every search attribute the workflows set
// (workflows/searchAttributes.ts) and says which are missing and what registers them, instead of
// leaving operators to find "Failed to start Workflow" on every request. It warns and goes on: the
// attributes may be registered while it runs, and a check that cannot run must not stop a worker.
import type { NativeConnection } from '@temporalio/worker';
import { SETUP_COMMAND } from '../client/searchAttributeErrors.js';
import { searchAttributeKeys } from '../workflows/searchAttributes.js';

/** The workflows' search attributes the namespace does not have. */
export async function missingSearchAttributes(
  connection: NativeConnection,
  namespace: string,
): Promise<string[]> {
  const listed = await connection.operatorService.listSearchAttributes({ namespace });
  const registered = new Set([
    ...Object.keys(listed.customAttributes ?? {}),
    ...Object.keys(listed.systemAttributes ?? {}),
  ]);
  return searchAttributeKeys.map((key) => key.name).filter((name) => !registered.has(name));
}

/** Logs one warning naming the missing attributes and the command, or nothing when all are there. */
export async function warnMissingSearchAttributes(
  connection: NativeConnection,
  namespace: string,
  warn: (line: string) => void,
): Promise<void> {
  try {
    const missing = await missingSearchAttributes(connection, namespace);
    if (missing.length === 0) return;
    warn(
      `worker: namespace ${namespace} lacks the search attributes ${missing.join(', ')}: every request will be refused until you run \`${SETUP_COMMAND} --namespace ${namespace}\` against this cluster`,
    );
  } catch (error) {
    warn(
      `worker: could not check the search attributes of namespace ${namespace}: ${(error as Error).message}`,
    );
  }
}
