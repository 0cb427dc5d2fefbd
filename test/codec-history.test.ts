// With the codecs on, end to end on a real dev server: the history the server stores holds no
// plaintext prompt (read with a client WITHOUT the codec), the client with the codec still gets the
// plaintext answer, a failure message quoting the answer is encrypted too while the client still reads
// the typed error, and a variable larger than the threshold leaves only a claim reference in history.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Client } from '@temporalio/client';
import type { DataConverter, Payload } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import { fetchHistories, historyFromJson, replayHistories } from '../cli/replay.js';
import { OrchestratorClient } from '../client/client.js';
import { closePayloadCodecs, createCodecServer, dataConverterFromEnv } from '../codec/index.js';
import { failureType } from '../common/errors.js';
import type { LlmRequest } from '../common/request.js';
import { ensureTemporalCli } from '../scripts/provision.js';
import { createOrchestratorWorker, type OrchestratorWorker } from '../workers/worker.js';
import { type Harness, requestId, startHarness, testSettings } from './support/harness.js';

const run = promisify(execFile);
const THRESHOLD = 16 * 1024;

/** What `temporal workflow show --output json` prints (the parts read here). */
interface HistoryJson {
  events: {
    workflowExecutionStartedEventAttributes?: {
      input?: { payloads: { metadata: Record<string, string>; data: string }[] };
    };
  }[];
}
const claimDir = mkdtempSync(join(tmpdir(), 'claims-'));
const dataConverter = dataConverterFromEnv({
  PAYLOAD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  PAYLOAD_ENCRYPTION_KEY_ID: 'test-key-1',
  CLAIM_CHECK_DIR: claimDir,
  CLAIM_CHECK_THRESHOLD_BYTES: String(THRESHOLD),
}) as DataConverter;

let h: Harness;
let connection: NativeConnection;
let worker: OrchestratorWorker;
let running: Promise<void>;
/** A client that encodes and decodes with the codecs, on the codec worker's task queue. */
let withCodec: OrchestratorClient;

before(async () => {
  h = await startHarness();
  const taskQueue = `codec-${randomUUID()}`;
  connection = await NativeConnection.connect({ address: h.env.address });
  worker = await createOrchestratorWorker({
    connection,
    taskQueue,
    providers: {
      openai: { apiKey: 'test-openai-key', baseURL: h.emulator.openaiBaseURL },
      anthropic: { apiKey: 'test-anthropic-key', baseURL: h.emulator.url },
    },
    settings: testSettings,
    dataConverter,
  });
  running = worker.run();
  withCodec = new OrchestratorClient({
    client: new Client({ connection: h.env.connection, dataConverter }),
    taskQueue,
  });
});
after(async () => {
  worker?.shutdown();
  await running;
  await connection?.close();
  await h?.stop();
  await closePayloadCodecs(dataConverter.payloadCodecs);
  rmSync(claimDir, { recursive: true, force: true });
});

function ask(label: string, question: string): LlmRequest {
  return {
    requestId: requestId(label),
    taskType: 'general_qa',
    templateId: 'general_qa',
    templateVersion: '1.0',
    variables: { question },
    model: 'gpt-4o-mini',
  };
}

interface StoredPayload {
  /** Where in the history it sits, e.g. events.0.workflowExecutionStartedEventAttributes.input.payloads.0 */
  path: string;
  payload: Payload;
}

/**
 * Every byte string and text of the raw histories (request and children) as the server stores them,
 * and the payloads that carry user data. Not user data: search attributes (the server indexes them,
 * so they are never encoded) and the bookkeeping Temporal's core writes into markers: each local
 * activity's (`details.data`: activity type, attempt, times; the result is `details.result`) and
 * each `patched()` call's (`details.patch-data`: the patch id).
 */
async function rawHistory(workflowId: string): Promise<{ bytes: Buffer; payloads: StoredPayload[] }> {
  const chunks: Buffer[] = [];
  const payloads: StoredPayload[] = [];
  const walk = (node: unknown, path: string): void => {
    if (node instanceof Uint8Array) chunks.push(Buffer.from(node));
    else if (typeof node === 'string') chunks.push(Buffer.from(node));
    else if (Array.isArray(node)) {
      for (const [i, item] of node.entries()) walk(item, `${path}.${i}`);
    } else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      const metadata = record.metadata as Record<string, unknown> | undefined;
      const bookkeeping = /searchAttributes|markerRecordedEventAttributes\.details\.(data|patch-data)\b/.test(
        path,
      );
      if (metadata?.encoding instanceof Uint8Array && !bookkeeping) payloads.push({ path, payload: record });
      for (const [key, child] of Object.entries(record)) walk(child, path ? `${path}.${key}` : key);
    }
  };
  for (const { history } of await fetchHistories(h.env.client, workflowId)) walk(history, '');
  return { bytes: Buffer.concat(chunks), payloads };
}

const encodingOf = (p: Payload): string => Buffer.from(p.metadata?.encoding ?? []).toString();

describe('payload encryption', () => {
  it('leaves no plaintext prompt in the stored history, while the client with the codec reads the answer', async () => {
    const phrase = `tangerine-okapi-${randomUUID()}`;
    const request = ask('encrypted', `What does ${phrase} mean?`);
    const result = await withCodec.process(request);
    assert.match(
      result.text,
      new RegExp(phrase),
      'the emulator echoes the prompt: the answer came back in clear',
    );

    const raw = await rawHistory(request.requestId);
    assert.equal(raw.bytes.includes(phrase), false, 'the phrase is nowhere in the stored histories');
    assert.ok(
      raw.payloads.length >= 6,
      `input, markers, child input, activity input/result… (${raw.payloads.length})`,
    );
    const clear = raw.payloads.filter((p) => encodingOf(p.payload) !== 'binary/encrypted');
    const show = (p: StoredPayload): string =>
      `${p.path}: ${encodingOf(p.payload)} ${Buffer.from(p.payload.data ?? [])
        .toString()
        .slice(0, 80)}`;
    assert.deepEqual(clear.map(show), [], 'every payload is encrypted');
    const keyIds = new Set(
      raw.payloads.map((p) => Buffer.from(p.payload.metadata?.['encryption-key-id'] ?? []).toString()),
    );
    assert.deepEqual([...keyIds], ['test-key-1']);
  });

  it('control: without the codec the same kind of prompt is readable in the stored history', async () => {
    const phrase = `tangerine-okapi-${randomUUID()}`;
    const request = ask('plaintext', `What does ${phrase} mean?`);
    await h.client.process(request);
    const raw = await rawHistory(request.requestId);
    assert.equal(raw.bytes.includes(phrase), true);
  });
});

/**
 * A request every model answers with `{"a": <phrase>}` (the emulator's reply marker) where JSON is
 * wanted, with no repair: it fails with AllModelsFailedError, and each model's InvalidResponseError
 * quotes the broken JSON, phrase included (V8's parse error quotes a source this short in full).
 */
function unparsable(label: string, phrase: string): LlmRequest {
  return {
    ...ask(label, `Answer in JSON. [[emulator:reply={"a": ${phrase}}]]`),
    outputFormat: 'json',
    maxRepairs: 0,
    fallbackModels: [],
  };
}

/** Failure messages as the server stores them, wherever a failure sits in the histories. */
async function storedFailureMessages(workflowId: string): Promise<string[]> {
  const messages: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) for (const item of node) walk(item);
    else if (node && typeof node === 'object' && !(node instanceof Uint8Array)) {
      const record = node as Record<string, unknown>;
      if (typeof record.message === 'string' && 'failureInfo' in record) messages.push(record.message);
      for (const child of Object.values(record)) walk(child);
    }
  };
  for (const { history } of await fetchHistories(h.env.client, workflowId)) walk(history);
  return messages;
}

describe('failure messages', () => {
  it('keeps a failure message that quotes the answer out of the stored history; the client reads the typed error and its message', async () => {
    const phrase = `zq${randomUUID().slice(0, 8)}`;
    const request = unparsable('failure-encrypted', phrase);
    const error = await withCodec.process(request).then(
      () => assert.fail('an answer that is not JSON cannot succeed'),
      (e: unknown) => e as Error,
    );
    assert.equal(failureType(error), 'AllModelsFailedError');
    assert.match(error.message, /InvalidResponseError: .* is not valid JSON/);
    assert.match(error.message, new RegExp(phrase), 'the client reads the message in clear');

    const raw = await rawHistory(request.requestId);
    assert.equal(raw.bytes.includes(phrase), false, 'the quoted answer is nowhere in the stored histories');
    assert.equal(raw.bytes.includes('is not valid JSON'), false, 'nor is the message around it');
    const stored = await storedFailureMessages(request.requestId);
    assert.ok(stored.length >= 3, `activity, child and request failures are stored (${stored.length})`);
    assert.deepEqual([...new Set(stored)], ['Encoded failure']);
  });

  it('control: without the codec the same failure message is readable in the stored history', async () => {
    const phrase = `zq${randomUUID().slice(0, 8)}`;
    const request = unparsable('failure-plaintext', phrase);
    await assert.rejects(
      h.client.process(request),
      (e: unknown) => failureType(e) === 'AllModelsFailedError',
    );
    const raw = await rawHistory(request.requestId);
    assert.equal(raw.bytes.includes(phrase), true);
    assert.ok((await storedFailureMessages(request.requestId)).some((m) => m.includes(phrase)));
  });
});

describe('claim check', () => {
  it('sends a variable larger than the threshold by claim check: history holds only the reference', async () => {
    const phrase = `walrus-saffron-${randomUUID()}`;
    const large = `${phrase} ${Array.from({ length: 1200 }, (_, i) => `fact ${i} about durable execution.`).join(' ')}`;
    assert.ok(Buffer.byteLength(large) > 2 * THRESHOLD);
    const request = ask('claim-check', large);
    const result = await withCodec.process(request);
    assert.equal(result.model, 'gpt-4o-mini');
    assert.match(result.text, new RegExp(phrase));

    const raw = await rawHistory(request.requestId);
    assert.equal(raw.bytes.includes(phrase), false);
    const biggest = Math.max(...raw.payloads.map((p) => p.payload.data?.byteLength ?? 0));
    assert.ok(
      biggest < THRESHOLD,
      `no payload in history is larger than the threshold (largest ${biggest} B)`,
    );
    const claims = raw.payloads.map((p) => p.payload).filter((p) => encodingOf(p) === 'binary/claim-check');
    // The request's input, the rendered prompt and the provider call's input at least (the first model
    // runs in the request's own history: no child input).
    assert.ok(claims.length >= 3, `${claims.length} claim references`);
    const references = claims.map(
      (p) => JSON.parse(Buffer.from(p.data ?? []).toString()) as { sha256: string },
    );
    const stored = new Set(readdirSync(claimDir));
    for (const { sha256 } of references)
      assert.ok(stored.has(sha256), `blob ${sha256} is in the claim directory`);
    // Claimed after encryption: the stored blobs are ciphertext too.
    for (const file of stored) assert.equal(readFileSync(join(claimDir, file)).includes(phrase), false);
  });
});

describe('reading encrypted histories', () => {
  it('`temporal workflow show` shows the prompt through the codec server, only with the token; replay with the codec replays', async () => {
    const phrase = `quokka-indigo-${randomUUID()}`;
    const request = ask('ui-decode', `Explain ${phrase}.`);
    await withCodec.process(request);
    const temporal = ensureTemporalCli();
    assert.ok(temporal, 'the Temporal CLI is provisioned');

    const server = createCodecServer({
      codecs: dataConverter.payloadCodecs ?? [],
      token: 'ui-token',
      corsOrigins: [],
    });
    await server.listen({ port: 0, host: '127.0.0.1' });
    const show = (auth: string, timeout = '30s') =>
      run(
        temporal,
        [
          'workflow',
          'show',
          '-w',
          request.requestId,
          '--address',
          h.env.address,
          '--output',
          'json',
          '--codec-endpoint',
          `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
          '--codec-auth',
          auth,
          '--command-timeout',
          timeout,
        ],
        { timeout: 60_000 },
      );
    try {
      // The official CLI, as an operator runs it: the codec server protocol as Temporal's tools speak it.
      const { stdout } = await show('Bearer ui-token');
      const shown = JSON.parse(stdout) as HistoryJson;
      const input = shown.events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads[0];
      assert.equal(Buffer.from(input?.metadata.encoding ?? '', 'base64').toString(), 'json/plain');
      const decoded = JSON.parse(Buffer.from(input?.data ?? '', 'base64').toString()) as LlmRequest;
      assert.equal(decoded.variables.question, `Explain ${phrase}.`);
      // What the CLI printed is a history `replay --dir` reads: decoded, it replays without the codec.
      const [fromCli] = await replayHistories([
        { name: 'cli.json', workflowId: request.requestId, history: historyFromJson(shown) },
      ]);
      assert.equal(fromCli?.error, undefined);
      // Refused (401): the CLI cannot decode and gives up.
      await assert.rejects(show('Bearer wrong', '3s'), 'no decoding without the token');
    } finally {
      await server.close();
    }

    const [parent, ...children] = await fetchHistories(h.env.client, request.requestId);
    // On the fast path the first model runs in the request's own history: no child.
    assert.ok(parent);
    assert.equal(children.length, 0);
    const outcomes = await replayHistories([parent], { dataConverter });
    assert.deepEqual(
      outcomes.map((o) => o.error?.message),
      [undefined],
    );
  });
});
