// Eager workflow start for a client that shares a process with the worker (npm start's API, the
// CLI's in-process paths): built on the worker's NativeConnection, the client asks the server to hand
// the first workflow task straight back, and the server records that it did; its close() leaves the
// worker's connection open. A client of its own connection starts requests the ordinary way.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { OrchestratorClient } from '../client/client.js';
import type { LlmRequest } from '../common/request.js';
import { type Harness, requestId, startHarness } from './support/harness.js';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h?.stop();
});

const qa = (label: string): LlmRequest => ({
  requestId: requestId(label),
  taskType: 'general_qa',
  templateId: 'general_qa',
  variables: { question: `Who runs my first workflow task? (${label})` },
  model: 'gpt-4o-mini',
});

async function eagerAccepted(id: string): Promise<boolean | null | undefined> {
  const history = await h.env.client.workflow.getHandle(id).fetchHistory();
  return history.events?.[0]?.workflowExecutionStartedEventAttributes?.eagerExecutionAccepted;
}

it('a client on the worker connection starts requests eagerly, and closing it keeps the worker connected', async () => {
  const eager = await OrchestratorClient.connect({
    workerConnection: h.env.nativeConnection,
    namespace: h.env.namespace ?? 'default',
    taskQueue: h.taskQueue,
    streams: h.client.streams ?? undefined,
  });
  assert.equal(eager.eagerStart, true);
  const request = qa('eager');
  const result = await eager.process(request);
  assert.equal(result.model, 'gpt-4o-mini');
  assert.equal(await eagerAccepted(request.requestId), true);

  await eager.close();
  // The worker still serves requests on its connection.
  const after = qa('after-close');
  assert.equal((await h.client.process(after)).requestId, after.requestId);
});

it('a client of its own connection starts requests the ordinary way', async () => {
  assert.equal(h.client.eagerStart, false);
  const request = qa('ordinary');
  await h.client.process(request);
  assert.notEqual(await eagerAccepted(request.requestId), true);
});
