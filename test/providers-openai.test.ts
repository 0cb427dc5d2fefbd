// The OpenAI adapter against recorded OpenAI answers served by a local HTTP server: the body it
// sends, the text, usage, finish reason and ids it reads, each error answer to our typed error,
// transport failures, and streamed deltas with the final usage. No Temporal, no emulator.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import OpenAI from 'openai';
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

const model = loadModelCatalog().models['gpt-4o-mini'] as ModelSpec;
let server: ReplayServer;
let provider: Provider;

before(async () => {
  server = await startReplayServer();
  provider = new ProviderRegistry({
    openai: { apiKey: 'sk-test-key', baseURL: `${server.url}/v1` },
  }).forModel(model);
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
      { role: 'user', content: 'What is a durable workflow?' },
    ],
    maxOutputTokens: 256,
    ...extra,
  };
}

/** The typed error a call ended with (it must end with one). */
async function failure(call: Promise<unknown>): Promise<ApplicationFailure & { details: [ErrorDetails] }> {
  const error = await call.then(
    () => assert.fail('expected the call to fail'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ApplicationFailure, `expected a typed error, got ${String(error)}`);
  return error as ApplicationFailure & { details: [ErrorDetails] };
}

describe('the OpenAI adapter', () => {
  it('sends the request as a Chat Completions body with the key as a bearer token', async () => {
    server.answer(recorded('openai', 'chat-completion'));
    await provider.complete(
      ask({
        temperature: 0.2,
        topP: 0.9,
        stop: ['\n\n'],
        structuredOutput: {
          name: 'answer',
          schema: { type: 'object', properties: { a: { type: 'string' } } },
        },
      }),
    );
    const [sent] = server.received;
    assert.ok(sent);
    assert.equal(sent.method, 'POST');
    assert.equal(sent.url, '/v1/chat/completions');
    assert.equal(sent.headers.authorization, 'Bearer sk-test-key');
    assert.deepEqual(sent.body, {
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Answer briefly.' },
        { role: 'user', content: 'What is a durable workflow?' },
      ],
      max_completion_tokens: 256,
      temperature: 0.2,
      top_p: 0.9,
      stop: ['\n\n'],
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'answer', schema: { type: 'object', properties: { a: { type: 'string' } } } },
      },
    });
  });

  it('leaves out the parameters a request does not set', async () => {
    server.answer(recorded('openai', 'chat-completion'));
    await provider.complete(ask());
    assert.deepEqual(Object.keys(server.received[0]?.body ?? {}).sort(), [
      'max_completion_tokens',
      'messages',
      'model',
    ]);
  });

  it('reads the text, usage with cached input tokens, finish reason, response id and answering model', async () => {
    server.answer(recorded('openai', 'chat-completion'));
    const response = await provider.complete(ask());
    assert.deepEqual(response, {
      text: 'A durable workflow is code whose progress is recorded, so it resumes where it stopped after a crash.',
      toolCalls: [],
      usage: { inputTokens: 1919, outputTokens: 21, totalTokens: 1940, cachedInputTokens: 1792 },
      finishReason: 'stop',
      responseId: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
      providerModel: 'gpt-4o-mini-2024-07-18',
    });
  });

  it('reports a cut-off answer as finish reason length, without cached tokens when none were cached', async () => {
    server.answer(recorded('openai', 'chat-completion-length'));
    const response = await provider.complete(ask());
    assert.equal(response.finishReason, 'length');
    assert.deepEqual(response.usage, { inputTokens: 57, outputTokens: 8, totalTokens: 65 });
  });

  it('streams the deltas in order and returns the text, finish reason and usage of the final chunk', async () => {
    server.answer({ sse: recordedStream('openai', 'chat-completion-stream') });
    const deltas: string[] = [];
    const response = await provider.complete(ask({ onDelta: (d) => deltas.push(d) }));
    assert.deepEqual(deltas, ['Durable', ' workflows', ' resume.']);
    assert.deepEqual(response, {
      text: 'Durable workflows resume.',
      toolCalls: [],
      usage: { inputTokens: 24, outputTokens: 5, totalTokens: 29 },
      finishReason: 'stop',
      responseId: 'chatcmpl-C2pQ7rT8uV9wX0yZ1aB2cD3eF4gH5',
      providerModel: 'gpt-4o-mini-2024-07-18',
    });
    assert.equal(server.received[0]?.body.stream, true);
    assert.deepEqual(server.received[0]?.body.stream_options, { include_usage: true });
  });
});

describe('the OpenAI adapter on an error answer', () => {
  const errors = recordedErrors('openai');
  const cases: [fixture: string, type: string, extra: Partial<ErrorDetails>][] = [
    ['401 invalid key', 'AuthenticationError', { providerCode: 'invalid_api_key' }],
    ['403 region', 'PermissionDeniedError', { providerCode: 'unsupported_country_region_territory' }],
    ['404 model', 'ModelNotFoundError', { providerCode: 'model_not_found' }],
    ['400 context length', 'ContextLengthExceededError', { providerCode: 'context_length_exceeded' }],
    ['400 content policy', 'ContentPolicyError', { providerCode: 'content_policy_violation' }],
    ['400 bad parameter', 'BadRequestError', { providerCode: 'invalid_value' }],
    ['429 rate limit', 'RateLimitError', { providerCode: 'rate_limit_exceeded', retryAfterMs: 1750 }],
    [
      '429 retry-after seconds',
      'RateLimitError',
      { providerCode: 'rate_limit_exceeded', retryAfterMs: 20_000 },
    ],
    ['429 quota', 'QuotaExceededError', { providerCode: 'insufficient_quota' }],
    ['500 server', 'ProviderServerError', {}],
    ['503 overloaded', 'ProviderOverloadedError', {}],
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
        provider: 'openai',
        model: 'gpt-4o-mini',
        status: answer.status,
        providerRequestId: answer.headers['x-request-id'],
        ...extra,
      });
      assert.equal(error.nextRetryDelay, extra.retryAfterMs, 'Temporal waits as long as the provider asked');
    });
  }

  it('names the key variable when the key is refused', async () => {
    server.answer(errors['401 invalid key'] as NonNullable<(typeof errors)[string]>);
    const error = await failure(provider.complete(ask()));
    assert.match(error.message, /check the API key in the environment \(OPENAI_API_KEY\)/);
  });
});

describe('the OpenAI adapter when no answer arrives', () => {
  it('raises ProviderTimeoutError when the provider does not answer within the timeout', async () => {
    server.answer({ hang: true });
    const error = await failure(provider.complete(ask({ timeoutMs: 50 })));
    assert.equal(error.type, 'ProviderTimeoutError');
    assert.equal(error.nonRetryable, false);
  });

  it('raises ProviderUnreachableError naming OPENAI_BASE_URL when nothing listens', async () => {
    const closed = await startReplayServer();
    await closed.close();
    const unreachable = new ProviderRegistry({
      openai: { apiKey: 'k', baseURL: `${closed.url}/v1` },
    }).forModel(model);
    const error = await failure(unreachable.complete(ask()));
    assert.equal(error.type, 'ProviderUnreachableError');
    assert.match(error.message, /OPENAI_BASE_URL/);
  });

  it('raises ProviderUnreachableError when the connection is cut mid-stream', async () => {
    const sse = recordedStream('openai', 'chat-completion-stream');
    server.answer({ sse, cutAfterBytes: sse.indexOf('" resume."') });
    const deltas: string[] = [];
    const error = await failure(provider.complete(ask({ onDelta: (d) => deltas.push(d) })));
    assert.equal(error.type, 'ProviderUnreachableError');
    assert.deepEqual(deltas, ['Durable', ' workflows']);
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
    assert.ok(error instanceof OpenAI.APIUserAbortError, `expected the SDK's abort error, got ${error}`);
  });
});
