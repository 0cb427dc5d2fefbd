// cli/setup.ts against a real server (the dev server, which starts without our search attributes
// when asked to): a new namespace gets created with its retention and every search attribute; a
// second run changes nothing; before setup, a request is refused with a typed error naming the
// attribute and the command, and the worker's start-up check lists what is missing.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { msNumberToTs } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection } from '@temporalio/worker';
import { setupCluster, setupReportLines } from '../cli/setup.js';
import { OrchestratorClient } from '../client/client.js';
import {
  SearchAttributeNotRegisteredError,
  unregisteredSearchAttribute,
} from '../client/searchAttributeErrors.js';
import { fastDevServerArgs } from '../scripts/devServer.js';
import { ensureTemporalCli } from '../scripts/provision.js';
import { missingSearchAttributes } from '../workers/searchAttributeCheck.js';
import { searchAttributeKeys } from '../workflows/searchAttributes.js';

let env: TestWorkflowEnvironment;
let connection: Connection;
before(async () => {
  const path = ensureTemporalCli();
  // No searchAttributes: a plain server, as a fresh cluster is.
  env = await TestWorkflowEnvironment.createLocal({
    server: {
      ...(path ? { executable: { type: 'existing-path', path } } : {}),
      extraArgs: [...fastDevServerArgs],
    },
  });
  connection = await Connection.connect({ address: env.address });
});
after(async () => {
  await connection?.close();
  await env?.teardown();
});

describe('llm-orchestrator setup', () => {
  const namespace = `setup-${randomUUID().slice(0, 8)}`;
  const request = () => ({
    requestId: `setup-${randomUUID()}`,
    taskType: 'general_qa',
    templateId: 'general_qa',
    variables: { question: 'q' },
  });

  it('before setup, a start is refused with SearchAttributeNotRegisteredError naming the command', async () => {
    await connection.workflowService.registerNamespace({
      namespace: `${namespace}-bare`,
      workflowExecutionRetentionPeriod: msNumberToTs(86_400_000),
    });
    const client = new OrchestratorClient({
      client: new Client({ connection, namespace: `${namespace}-bare` }),
      taskQueue: 'never-served',
    });
    let refused: unknown;
    for (let tries = 0; tries < 40; tries++) {
      refused = await client.start(request()).then(
        () => undefined,
        (e: unknown) => e,
      );
      // A namespace just registered is "not found" until the frontend's cache has it.
      if ((refused as { cause?: { code?: number } })?.cause?.code !== 5) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.ok(refused instanceof SearchAttributeNotRegisteredError, String(refused));
    assert.ok(searchAttributeKeys.some((key) => key.name === refused.attribute));
    assert.match(refused.message, new RegExp(`run \`llm-orchestrator setup --namespace ${namespace}-bare\``));
    assert.equal(refused.type, 'SearchAttributeNotRegisteredError');

    const native = await NativeConnection.connect({ address: env.address });
    try {
      assert.deepEqual(
        await missingSearchAttributes(native, `${namespace}-bare`),
        searchAttributeKeys.map((key) => key.name),
      );
    } finally {
      await native.close();
    }
  });

  it('creates the namespace and registers every search attribute; a second run changes nothing', async () => {
    const first = await setupCluster(connection, { namespace, retentionDays: 2 });
    assert.deepEqual(first.namespace, { name: namespace, action: 'created', retentionDays: 2 });
    assert.deepEqual(
      first.searchAttributes.map((a) => `${a.name}:${a.type}:${a.action}`),
      searchAttributeKeys.map((key) => `${key.name}:${key.type}:added`),
    );
    const second = await setupCluster(connection, { namespace, retentionDays: 5 });
    // The existing namespace keeps its retention.
    assert.deepEqual(second.namespace, { name: namespace, action: 'existed', retentionDays: 2 });
    assert.ok(second.searchAttributes.every((a) => a.action === 'existed'));
    assert.equal(
      setupReportLines(second).at(-1),
      `setup: namespace unchanged, 0 search attributes added, ${searchAttributeKeys.length} already registered`,
    );
  });
});

describe('unregisteredSearchAttribute', () => {
  it('reads the attribute from the server wordings, and nothing else', () => {
    const wrapped = (details: string, code = 3) =>
      Object.assign(new Error('Failed to start Workflow'), {
        cause: Object.assign(new Error(details), { code, details }),
      });
    assert.equal(
      unregisteredSearchAttribute(
        wrapped('Namespace default has no mapping defined for search attribute LlmStatus'),
      ),
      'LlmStatus',
    );
    assert.equal(
      unregisteredSearchAttribute(wrapped('search attribute LlmModel is not defined')),
      'LlmModel',
    );
    assert.equal(
      unregisteredSearchAttribute(wrapped('no mapping defined for search attribute LlmModel', 5)),
      undefined,
    );
    assert.equal(unregisteredSearchAttribute(wrapped('workflow id is too long')), undefined);
    assert.equal(unregisteredSearchAttribute(undefined), undefined);
  });
});
