// `setup`: what an operator runs once per Temporal cluster and namespace before starting workers.
// Creates the namespace with a retention period when it is missing and registers every search
// attribute the workflows set (workflows/searchAttributes.ts). Idempotent: what exists is left as it
// is and reported as existing, so running it again changes nothing. Also runnable on its own:
// `node --import tsx cli/setup.ts --address 127.0.0.1:7233`.
import { pathToFileURL } from 'node:url';
import { Connection } from '@temporalio/client';
import { msNumberToTs, type SearchAttributeType, tsToMs } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { Command, InvalidArgumentError } from 'commander';
import { searchAttributeKeys } from '../workflows/searchAttributes.js';

type IndexedValueType = temporal.api.enums.v1.IndexedValueType;

/** temporal.api.enums.v1.IndexedValueType, by the SDK's names for the types. */
const INDEXED_VALUE_TYPE: Record<SearchAttributeType, number> = {
  TEXT: 1,
  KEYWORD: 2,
  INT: 3,
  DOUBLE: 4,
  BOOL: 5,
  DATETIME: 6,
  KEYWORD_LIST: 7,
};
const typeName = (value: number): string =>
  Object.entries(INDEXED_VALUE_TYPE).find(([, v]) => v === value)?.[0] ?? `type ${value}`;

export interface SetupOptions {
  namespace: string;
  retentionDays: number;
  /** How long to wait for a new namespace to be served by every frontend (its cache refreshes). */
  namespaceReadyTimeoutMs?: number;
}

export interface SetupReport {
  namespace: { name: string; action: 'created' | 'existed'; retentionDays: number };
  searchAttributes: { name: string; type: SearchAttributeType; action: 'added' | 'existed' }[];
}

const GRPC_NOT_FOUND = 5;
const GRPC_ALREADY_EXISTS = 6;
const grpcCode = (error: unknown): number | undefined => (error as { code?: number } | null)?.code;

async function describeRetentionDays(connection: Connection, namespace: string): Promise<number | undefined> {
  try {
    const described = await connection.workflowService.describeNamespace({ namespace });
    return tsToMs(described.config?.workflowExecutionRetentionTtl) / 86_400_000;
  } catch (error) {
    if (grpcCode(error) === GRPC_NOT_FOUND) return undefined;
    throw error;
  }
}

/** A namespace just registered is served once the frontend's namespace cache has it (up to ~10 s). */
async function waitUntilServed(connection: Connection, namespace: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await connection.operatorService.listSearchAttributes({ namespace });
      await connection.workflowService.countWorkflowExecutions({ namespace, query: '' });
      return;
    } catch (error) {
      if (grpcCode(error) !== GRPC_NOT_FOUND || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/** Creates the namespace if missing and registers the missing search attributes. */
export async function setupCluster(connection: Connection, options: SetupOptions): Promise<SetupReport> {
  const { namespace, retentionDays } = options;
  let existing = await describeRetentionDays(connection, namespace);
  let action: SetupReport['namespace']['action'] = 'existed';
  if (existing === undefined) {
    try {
      await connection.workflowService.registerNamespace({
        namespace,
        workflowExecutionRetentionPeriod: msNumberToTs(Math.round(retentionDays * 86_400_000)),
        description: 'llm-orchestrator requests',
      });
      action = 'created';
      existing = retentionDays;
    } catch (error) {
      // Another setup created it meanwhile.
      if (grpcCode(error) !== GRPC_ALREADY_EXISTS) throw error;
      existing = (await describeRetentionDays(connection, namespace)) ?? retentionDays;
    }
  }
  await waitUntilServed(connection, namespace, options.namespaceReadyTimeoutMs ?? 60_000);

  const listed = await connection.operatorService.listSearchAttributes({ namespace });
  const registered = new Map<string, number>(
    Object.entries({ ...listed.systemAttributes, ...listed.customAttributes }).map(([k, v]) => [
      k,
      Number(v),
    ]),
  );
  const report: SetupReport['searchAttributes'] = [];
  const missing: Record<string, IndexedValueType> = {};
  for (const key of searchAttributeKeys) {
    const want = INDEXED_VALUE_TYPE[key.type];
    const have = registered.get(key.name);
    if (have === undefined) {
      missing[key.name] = want as IndexedValueType;
      report.push({ name: key.name, type: key.type, action: 'added' });
    } else if (have !== want) {
      throw new Error(
        `search attribute ${key.name} is registered in namespace ${namespace} as ${typeName(have)}, but the workflows set it as ${key.type}; remove it (temporal operator search-attribute remove --name ${key.name}) and run setup again`,
      );
    } else {
      report.push({ name: key.name, type: key.type, action: 'existed' });
    }
  }
  if (Object.keys(missing).length > 0) {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
  }
  return { namespace: { name: namespace, action, retentionDays: existing }, searchAttributes: report };
}

/** What setup did, one line per namespace and search attribute, then a summary line. */
export function setupReportLines(report: SetupReport): string[] {
  const ns = report.namespace;
  const attributes = report.searchAttributes;
  const added = attributes.filter((a) => a.action === 'added').length;
  return [
    `namespace ${ns.name}: ${ns.action === 'created' ? 'created' : 'already existed'} (retention ${ns.retentionDays} days)`,
    ...attributes.map(
      (a) =>
        `search attribute ${a.name} (${a.type}): ${a.action === 'added' ? 'added' : 'already registered'}`,
    ),
    `setup: namespace ${ns.action === 'created' ? 'created' : 'unchanged'}, ${added} search attributes added, ${attributes.length - added} already registered`,
  ];
}

function positiveNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0)
    throw new InvalidArgumentError('expected a positive number of days');
  return parsed;
}

export function setupCommand(options: { stdout?: (line: string) => void } = {}): Command {
  const print = options.stdout ?? ((line: string) => console.log(line));
  return new Command('setup')
    .description('create the namespace and register the search attributes the workflows use (idempotent)')
    .option('--address <host:port>', 'Temporal frontend (default TEMPORAL_ADDRESS or localhost:7233)')
    .option('--namespace <name>', 'namespace (default TEMPORAL_NAMESPACE or default)')
    .option('--retention-days <days>', 'retention of closed requests for a new namespace', positiveNumber, 3)
    .action(async (flags: { address?: string; namespace?: string; retentionDays: number }) => {
      const address = flags.address ?? process.env.TEMPORAL_ADDRESS ?? 'localhost:7233';
      const connection = await Connection.connect({ address });
      try {
        const report = await setupCluster(connection, {
          namespace: flags.namespace ?? process.env.TEMPORAL_NAMESPACE ?? 'default',
          retentionDays: flags.retentionDays,
        });
        for (const line of setupReportLines(report)) print(line);
      } finally {
        await connection.close();
      }
    });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await setupCommand().parseAsync(process.argv);
}
