// The Anthropic adapter against recorded Anthropic Messages answers served by a local HTTP server:
// the body it sends, the text (or forced tool input), usage with cache tokens, finish reasons, each
// error answer to our typed error, transport failures, and streamed deltas with the final usage.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { ApplicationFailure } from '@temporalio/common';
import type { ModelSpec } from '../common/catalog.js';
import type { ErrorDetails } from '../common/errors.js';
import { loadModelCatalog } from '../config/load.js';
import { ProviderRegistry } from '../core/providers/registry.js';
import type { Provider, ProviderRequest } from '../core/providers/types.js';
import {
  type ReplayServer,
  recorded,
  recordedErrors,
  recordedStream,
  startReplayServer,
} from './fixtures/providers/replayServer.js';

const model = loadModelCatalog().models['claude-haiku-4-5'] as ModelSpec;
let server: ReplayServer;
let provider: Provider;

before(async () => {
  server = await startReplayServer();
  provider = new ProviderRegistry({ anthropic: { apiKey: 'sk-ant-test', baseURL: server.url } }).forModel(
    model,
  );
});
after(() => server.close());
beforeEach(() => {
  server.received.length = 0;
});

function ask(extra: Partial<ProviderRequest> = {}): ProviderRequest {
  return {
    model,
    messages: [
      { role: 'system', content: 'Answer briefly.' },
      { role: 'system', content: 'Use plain words.' },
      { role: 'user', content: 'What is a durable workflow?' },
      { role: 'assistant', content: 'One that survives crashes.' },
      { role: 'user', content: 'And why does it matter?' },
    ],
    maxOutputTokens: 512,
    ...extra,
  };
}

async function failure(call: Promise<unknown>): Promise<ApplicationFailure & { details: [ErrorDetails] }> {
  const error = await call.then(
    () => assert.fail('expected the call to fail'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ApplicationFailure, `expected a typed error, got ${String(error)}`);
  return error as ApplicationFailure & { details: [ErrorDetails] };
}

describe('the Anthropic adapter', () => {
  it('sends system messages as the system field and the rest as messages, with the key', async () => {
    server.answer(recorded('anthropic', 'message'));
    await provider.complete(ask({ temperature: 0.3, topP: 0.8, stop: ['END'] }));
    const [sent] = server.received;
    assert.ok(sent);
    assert.equal(sent.method, 'POST');
    assert.equal(sent.url, '/v1/messages');
    // SDK 1.x sends the key as a bearer token; older ones sent x-api-key. The API takes both.
    const key = sent.headers['x-api-key'] ?? sent.headers.authorization?.replace(/^Bearer /, '');
    assert.equal(key, 'sk-ant-test');
    assert.ok(sent.headers['anthropic-version'], 'the SDK sends its API version');
    assert.deepEqual(sent.body, {
      model: 'claude-haiku-4-5',
      max_tokens: 512,
      system: 'Answer briefly.\n\nUse plain words.',
      messages: [
        { role: 'user', content: 'What is a durable workflow?' },
        { role: 'assistant', content: 'One that survives crashes.' },
        { role: 'user', content: 'And why does it matter?' },
      ],
      temperature: 0.3,
      top_p: 0.8,
      stop_sequences: ['END'],
    });
  });

  it('asks for structured output as a forced tool call whose input schema is the schema', async () => {
    server.answer(recorded('anthropic', 'message-tool-use'));
    const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] };
    const response = await provider.complete(ask({ structuredOutput: { name: 'answer', schema } }));
    const body = server.received[0]?.body;
    assert.deepEqual(body?.tools, [
      { name: 'answer', description: 'Return the answer as this tool input.', input_schema: schema },
    ]);
    assert.deepEqual(body?.tool_choice, { type: 'tool', name: 'answer' });
    assert.deepEqual(JSON.parse(response.text), { answer: 'Durable workflows resume.', confidence: 0.9 });
    // The forced answer tool is structured output, not a tool call: the answer simply ended.
    assert.equal(response.finishReason, 'stop');
    assert.deepEqual(response.toolCalls, []);
  });

  it('reads the text blocks, usage counting cache reads and writes as input, the response id and model', async () => {
    server.answer(recorded('anthropic', 'message'));
    const response = await provider.complete(ask());
    assert.deepEqual(response, {
      text: 'A durable workflow records each step, so it resumes after a crash.',
      toolCalls: [],
      // 12 uncached + 100 written to the cache + 2048 read from it.
      usage: {
        inputTokens: 2160,
        outputTokens: 17,
        totalTokens: 2177,
        cachedInputTokens: 2048,
        cacheWriteTokens: 100,
      },
      finishReason: 'stop',
      responseId: 'msg_01XFDUDYJgAACzvnptvVoYEL',
      providerModel: 'claude-haiku-4-5-20251001',
    });
  });

  it('reports max_tokens as finish reason length', async () => {
    server.answer(recorded('anthropic', 'message-max-tokens'));
    const response = await provider.complete(ask());
    assert.equal(response.finishReason, 'length');
    assert.deepEqual(response.usage, { inputTokens: 20, outputTokens: 5, totalTokens: 25 });
  });

  it('streams the text deltas in order and returns the final message with its usage', async () => {
    server.answer({ sse: recordedStream('anthropic', 'message-stream') });
    const deltas: string[] = [];
    const response = await provider.complete(ask({ onDelta: (d) => deltas.push(d) }));
    assert.deepEqual(deltas, ['Durable', ' workflows', ' resume.']);
    assert.deepEqual(response, {
      text: 'Durable workflows resume.',
      toolCalls: [],
      usage: { inputTokens: 25, outputTokens: 6, totalTokens: 31 },
      finishReason: 'stop',
      responseId: 'msg_01QxZ8mK3nL4pR5sT6uV7wX8',
      providerModel: 'claude-haiku-4-5-20251001',
    });
    assert.equal(server.received[0]?.body.stream, true);
  });
});

describe('the Anthropic adapter on an error answer', () => {
  const errors = recordedErrors('anthropic');
  const cases: [fixture: string, type: string, extra: Partial<ErrorDetails>][] = [
    ['401 invalid key', 'AuthenticationError', { providerCode: 'authentication_error' }],
    ['403 permission', 'PermissionDeniedError', { providerCode: 'permission_error' }],
    ['404 model', 'ModelNotFoundError', { providerCode: 'not_found_error' }],
    ['400 context length', 'ContextLengthExceededError', { providerCode: 'invalid_request_error' }],
    ['400 content policy', 'ContentPolicyError', { providerCode: 'invalid_request_error' }],
    ['400 credit balance', 'QuotaExceededError', { providerCode: 'invalid_request_error' }],
    ['400 bad parameter', 'BadRequestError', { providerCode: 'invalid_request_error' }],
    ['429 rate limit', 'RateLimitError', { providerCode: 'rate_limit_error', retryAfterMs: 13_000 }],
    ['529 overloaded', 'ProviderOverloadedError', { providerCode: 'overloaded_error' }],
    ['500 api error', 'ProviderServerError', { providerCode: 'api_error' }],
  ];
  for (const [fixture, type, extra] of cases) {
    it(`turns ${fixture} into ${type}`, async () => {
      const answer = errors[fixture];
      assert.ok(answer, fixture);
      server.answer(answer);
      const error = await failure(provider.complete(ask()));
      assert.equal(error.type, type);
      const message = (answer.body as { error: { message: string } }).error.message;
      assert.ok(error.message.includes(message), `the provider's message is kept: ${error.message}`);
      assert.deepEqual(error.details[0], {
        provider: 'anthropic',
        model: 'claude-haiku-4-5',
        status: answer.status,
        providerRequestId: answer.headers['request-id'],
        ...extra,
      });
      assert.equal(error.nextRetryDelay, extra.retryAfterMs, 'Temporal waits as long as the provider asked');
    });
  }

  it('names the key variable when the key is refused', async () => {
    server.answer(errors['401 invalid key'] as NonNullable<(typeof errors)[string]>);
    const error = await failure(provider.complete(ask()));
    assert.match(error.message, /check the API key in the environment \(ANTHROPIC_API_KEY\)/);
  });
});

describe('the Anthropic adapter when no answer arrives', () => {
  it('raises ProviderTimeoutError when the provider does not answer within the timeout', async () => {
    server.answer({ hang: true });
    const error = await failure(provider.complete(ask({ timeoutMs: 50 })));
    assert.equal(error.type, 'ProviderTimeoutError');
  });

  it('raises ProviderUnreachableError naming ANTHROPIC_BASE_URL when nothing listens', async () => {
    const closed = await startReplayServer();
    await closed.close();
    const unreachable = new ProviderRegistry({ anthropic: { apiKey: 'k', baseURL: closed.url } }).forModel(
      model,
    );
    const error = await failure(unreachable.complete(ask()));
    assert.equal(error.type, 'ProviderUnreachableError');
    assert.match(error.message, /ANTHROPIC_BASE_URL/);
  });

  it('raises ProviderUnreachableError when the connection is cut mid-stream', async () => {
    const sse = recordedStream('anthropic', 'message-stream');
    server.answer({ sse, cutAfterBytes: sse.indexOf('event: content_block_stop') });
    const deltas: string[] = [];
    const error = await failure(provider.complete(ask({ onDelta: (d) => deltas.push(d) })));
    assert.equal(error.type, 'ProviderUnreachableError');
    assert.deepEqual(deltas, ['Durable', ' workflows', ' resume.']);
  });

  it('lets a cancellation through unchanged, so Temporal sees the activity cancelled', async () => {
    server.answer({ hang: true });
    const controller = new AbortController();
    const call = provider.complete(ask({ signal: controller.signal }));
    controller.abort();
    const error = await call.then(
      () => assert.fail('expected an abort'),
      (e: unknown) => e as Error,
    );
    assert.ok(!(error instanceof ApplicationFailure));
    assert.ok(error instanceof Anthropic.APIUserAbortError, `expected the SDK's abort error, got ${error}`);
  });
});
