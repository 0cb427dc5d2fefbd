// Structured logs: what a worker process writes while it serves real requests (a worker started the
// way `llm-orchestrator worker` starts, its stderr read line by line), and the pieces it is made of.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { OrchestratorClient } from '../client/client.js';
import { ConfigError } from '../common/errors.js';
import type { LlmRequest } from '../common/request.js';
import { readLogSettings } from '../config/env.js';
import { projectRoot } from '../config/paths.js';
import { requestOfInput, requestOfWorkflow } from '../core/logging/logContext.js';
import { redact, redactForLog } from '../core/logging/redact.js';
import { JsonLogger } from '../workers/logging.js';
import { type Harness, requestId, startHarness } from './support/harness.js';

type Line = Record<string, unknown> & { level: string; message: string };

const SECRET_KEY = 'sk-proj-A1b2C3d4E5f6G7h8I9j0KLMNOP';
const EMAIL = 'jane.doe@example.com';

let h: Harness;
before(async () => {
  h = await startHarness({ worker: false });
});
after(async () => {
  await h?.stop();
});

/** A worker process with these logging switches on its own task queue; its stderr lines, parsed. */
async function runWorkerProcess(
  env: Record<string, string>,
  run: (client: OrchestratorClient) => Promise<void>,
): Promise<{ lines: Line[]; raw: string }> {
  const taskQueue = `logging-${requestId('q')}`;
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: h.env.address,
    LLM_TASK_QUEUE: taskQueue,
    OPENAI_API_KEY: 'test-openai-key',
    OPENAI_BASE_URL: h.emulator.openaiBaseURL,
    ANTHROPIC_API_KEY: 'test-anthropic-key',
    ANTHROPIC_BASE_URL: h.emulator.url,
    WORKER_HTTP_PORT: '0',
    ...env,
  };
  for (const name of ['REDIS_URL', 'TEMPORAL_METRICS_BIND', 'OTEL_TRACING', 'OTEL_EXPORTER_OTLP_ENDPOINT'])
    delete childEnv[name];
  const child: ChildProcess = spawn(
    process.execPath,
    [join(projectRoot, 'bin', 'llm-orchestrator.js'), 'worker'],
    { cwd: projectRoot, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let raw = '';
  let stdout = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    raw += chunk.toString();
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const exited = once(child, 'exit');
  try {
    await run(new OrchestratorClient({ client: h.env.client, taskQueue }));
    // Workflow and core lines pass through the SDK's 100 ms sorting buffer before they are written.
    await new Promise((resolve) => setTimeout(resolve, 400));
  } finally {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
  assert.equal(stdout, '', 'the worker writes its logs to stderr, nothing to stdout');
  const lines = raw
    .split('\n')
    .filter((text) => text.trim() !== '')
    .map((text) => {
      assert.doesNotThrow(() => JSON.parse(text), `a log line is not JSON: ${text}`);
      return JSON.parse(text) as Line;
    });
  return { lines, raw };
}

function qa(label: string, question: string): LlmRequest {
  return {
    requestId: requestId(label),
    taskType: 'general_qa',
    templateId: 'general_qa',
    variables: { question },
    model: 'gpt-4o-mini',
  };
}

const ofRequest = (lines: Line[], id: string): Line[] => lines.filter((l) => l.requestId === id);

describe('worker logs', () => {
  it('are JSON lines whose request lines carry requestId, workflowId and model; LOG_LEVEL=warn keeps only warnings', async () => {
    const request = qa('warn', 'What is a durable workflow?');
    const { lines } = await runWorkerProcess(
      { LOG_LEVEL: 'warn', TRACE_REQUESTS: 'true' },
      async (client) => {
        // One rate-limited try: the SDK logs the failed activity at WARN, then the retry succeeds.
        h.emulator.addFault({ model: 'gpt-4o-mini', status: 429, times: 1, retryAfterSeconds: 0 });
        const result = await client.process(request);
        assert.equal(result.attempts.length, 2);
      },
    );
    assert.deepEqual(
      lines.filter((l) => l.level !== 'warn' && l.level !== 'error'),
      [],
      'LOG_LEVEL=warn drops info (TRACE_REQUESTS steps included) and debug lines',
    );
    const failed = ofRequest(lines, request.requestId).find(
      (l) => l.message === 'Activity failed' && l.activityType === 'invokeProvider',
    );
    assert.ok(failed, 'the failed provider call is logged');
    assert.equal(failed.model, 'gpt-4o-mini');
    assert.match(String(failed.workflowId), new RegExp(`^${request.requestId}`));
    assert.equal((failed.error as { type?: string }).type, 'RateLimitError');
    assert.equal(failed.taskToken, undefined, 'the task token (a credential) is not logged');
    assert.match(String(failed.time), /^\d{4}-\d\d-\d\dT/);
  });

  it('say nothing of a request at the default level: no steps, no tokens, no prompt', async () => {
    const request = qa('quiet', `Reply to ${EMAIL} about key ${SECRET_KEY}`);
    const { lines, raw } = await runWorkerProcess({}, async (client) => {
      await client.process(request);
    });
    assert.ok(
      lines.some((l) => l.level === 'info' && String(l.message).startsWith('worker: task queue')),
      'the worker says it started, as a JSON line',
    );
    assert.deepEqual(ofRequest(lines, request.requestId), []);
    assert.ok(!lines.some((l) => l.level === 'debug'));
    assert.ok(!raw.includes(SECRET_KEY) && !raw.includes(EMAIL), 'the prompt is not in the logs');
    assert.ok(!raw.includes('Reply to'), 'nor any part of it');
  });

  it('trace each step, count tokens and show redacted prompts when LOG_LEVEL=debug, TRACE_REQUESTS, LOG_TOKEN_USAGE and LOG_PROMPTS ask', async () => {
    const request = qa('verbose', `Reply to ${EMAIL} about key ${SECRET_KEY}, card 4111 1111 1111 1111`);
    const { lines, raw } = await runWorkerProcess(
      { LOG_LEVEL: 'debug', TRACE_REQUESTS: 'true', LOG_TOKEN_USAGE: 'true', LOG_PROMPTS: 'true' },
      async (client) => {
        await client.process(request);
      },
    );
    const mine = ofRequest(lines, request.requestId);
    const messages = mine.map((l) => l.message);
    for (const step of [
      'prompt rendered',
      'route planned',
      'provider call succeeded',
      'token usage',
      'prompt',
      'response',
    ])
      assert.ok(messages.includes(step), `"${step}" is logged (got ${[...new Set(messages)].join(', ')})`);
    // Every line of the request's activities — the SDK's own included — names the request and workflow.
    const activityLines = lines.filter(
      (l) => typeof l.activityType === 'string' && String(l.workflowId).startsWith(request.requestId),
    );
    assert.ok(activityLines.length >= 8);
    for (const line of activityLines) {
      assert.equal(
        line.requestId,
        request.requestId,
        `${line.message} (${line.activityType}) has the request id`,
      );
      assert.ok(line.workflowId, `${line.message} (${line.activityType}) has the workflow id`);
    }
    // On the fast path the first model's call runs in the request's own workflow, whose id does not
    // name the model: the SDK's "Activity started" line, written before the input is read, lacks it.
    for (const line of activityLines.filter(
      (l) => l.activityType === 'invokeProvider' && l.message !== 'Activity started',
    ))
      assert.equal(line.model, 'gpt-4o-mini', `${line.message} has the model`);
    assert.ok(
      mine.some((l) => l.level === 'debug' && l.message === 'Activity started'),
      'debug lines pass',
    );
    assert.ok(
      mine.some((l) => l.message === 'Workflow completed' && l.workflowType === 'llmRequest'),
      "workflow lines (through the SDK's replay-safe sink) carry the request id too",
    );

    const call = mine.find((l) => l.message === 'provider call succeeded');
    assert.equal(call?.level, 'info', 'TRACE_REQUESTS writes steps at info');
    assert.equal(call?.model, 'gpt-4o-mini');
    assert.equal(typeof call?.durationMs, 'number');
    const tokens = mine.find((l) => l.message === 'token usage');
    assert.ok(Number(tokens?.inputTokens) > 0 && Number(tokens?.outputTokens) > 0);
    assert.ok(Number(tokens?.costUsd) > 0);

    const prompt = JSON.stringify(mine.find((l) => l.message === 'prompt'));
    assert.match(prompt, /\[EMAIL\]/);
    assert.match(prompt, /\[API_KEY\]/);
    assert.match(prompt, /\[NUMBER\]/);
    assert.ok(!raw.includes(SECRET_KEY) && !raw.includes(EMAIL) && !raw.includes('4111 1111'));
    assert.match(JSON.stringify(mine.find((l) => l.message === 'response')), /Emulated reply/);
  });
});

describe('the JSON logger', () => {
  it('drops lines below its level before formatting them, and names the request of a model call', () => {
    const written: string[] = [];
    const logger = new JsonLogger({ level: 'info' }, (line) => written.push(line));
    let formatted = false;
    const meta = {
      get workflowId() {
        formatted = true;
        return 'req-1/2-claude-haiku-4-5';
      },
    };
    logger.debug('not written', meta);
    assert.equal(formatted, false, 'a dropped line is never formatted');
    logger.warn('written', {
      workflowId: 'req-1/2-claude-haiku-4-5',
      workflowType: 'modelCall',
      taskToken: 'c2VjcmV0',
      error: new Error('boom'),
    });
    assert.equal(written.length, 1);
    const line = JSON.parse(written[0] ?? '');
    assert.equal(line.level, 'warn');
    assert.equal(line.requestId, 'req-1');
    assert.equal(line.model, 'claude-haiku-4-5');
    assert.equal(line.taskToken, undefined);
    assert.deepEqual(line.error, { type: 'Error', message: 'boom' });
    assert.deepEqual(Object.keys(line).slice(0, 6), [
      'time',
      'level',
      'message',
      'requestId',
      'workflowId',
      'model',
    ]);
  });

  it('never writes bytes, such as the encryption keys the SDK\'s "Creating worker" line holds', () => {
    const written: string[] = [];
    const logger = new JsonLogger({ level: 'debug' }, (line) => written.push(line));
    const key = Buffer.from('0123456789abcdef0123456789abcdef');
    logger.debug('Creating worker', { options: { codec: { keys: { current: { id: 'k1', key } } } } });
    assert.match(written[0] ?? '', /"key":"\[32 bytes\]"/);
    assert.ok(!written[0]?.includes('"data"'), 'no byte array');
  });

  it('reads its switches from the environment and refuses values it does not know', () => {
    assert.deepEqual(readLogSettings({}), {
      level: 'info',
      traceRequests: false,
      tokenUsage: false,
      prompts: false,
      maxPromptChars: 1000,
      genAiSpans: false,
    });
    assert.equal(readLogSettings({ LOG_LEVEL: 'DEBUG' }).level, 'debug');
    assert.equal(
      readLogSettings({ OTEL_SEMCONV_STABILITY_OPT_IN: 'http, gen_ai_latest_experimental' }).genAiSpans,
      true,
    );
    assert.equal(readLogSettings({ LOG_TOKEN_USAGE: '1' }).tokenUsage, true);
    assert.throws(() => readLogSettings({ LOG_LEVEL: 'verbose' }), ConfigError);
    assert.throws(() => readLogSettings({ TRACE_REQUESTS: 'maybe' }), /TRACE_REQUESTS must be true or false/);
  });
});

describe('request context of a log line', () => {
  it('comes from the workflow id of a request and of its model calls, request ids with slashes included', () => {
    assert.deepEqual(requestOfWorkflow('llmRequest', 'pipe-1/analyse'), { requestId: 'pipe-1/analyse' });
    assert.deepEqual(requestOfWorkflow('modelCall', 'pipe-1/analyse/2-claude-haiku-4-5'), {
      requestId: 'pipe-1/analyse',
      model: 'claude-haiku-4-5',
    });
    assert.deepEqual(requestOfWorkflow('pipeline', 'pipe-1'), {}, 'other workflows serve no single request');
  });

  it('comes from an activity input that names the request or the model', () => {
    assert.deepEqual(requestOfInput({ requestId: 'r1', model: { id: 'gpt-4o', provider: 'openai' } }), {
      requestId: 'r1',
      model: 'gpt-4o',
    });
    assert.deepEqual(requestOfInput({ request: { requestId: 'r2', model: 'gpt-4o-mini' } }), {
      requestId: 'r2',
      model: 'gpt-4o-mini',
    });
    assert.deepEqual(requestOfInput({ text: 'no ids here' }), {});
    assert.deepEqual(requestOfInput(undefined), {});
  });
});

describe('redaction', () => {
  it('masks keys, bearer tokens, secrets, emails and long numbers, and keeps the rest readable', () => {
    const text = [
      `key ${SECRET_KEY} and sk-ant-api03-abcdefghijklmnopqrstuv`,
      'Authorization: Bearer eyJhbGciOi.eyJzdWIiOi.sig-nature',
      'password=hunter2 "api_key": "abc123"',
      `mail ${EMAIL}, call +1 415-555-0100, card 4111111111111111`,
      'AKIAIOSFODNN7EXAMPLE in 2024-01-15, 3 items at 12.50',
    ].join('\n');
    const masked = redact(text);
    for (const secret of [
      SECRET_KEY,
      'sk-ant-api03',
      'eyJhbGciOi',
      'hunter2',
      'abc123',
      EMAIL,
      '555-0100',
      '4111111111111111',
      'AKIAIOSFODNN7EXAMPLE',
    ])
      assert.ok(!masked.includes(secret), `${secret} is masked in: ${masked}`);
    assert.match(masked, /Bearer \[REDACTED\]/);
    assert.match(masked, /password=\[REDACTED\]/);
    assert.match(masked, /2024-01-15, 3 items at 12\.50/, 'dates, counts and prices stay');
  });

  it('cuts to the maximum length after masking, so no secret is cut in half and left readable', () => {
    const text = `${'x'.repeat(30)} ${SECRET_KEY} ${'y'.repeat(100)}`;
    const cut = redactForLog(text, 40);
    assert.equal(
      cut,
      `${'x'.repeat(30)} [API_KEY]… [${text.length - SECRET_KEY.length + 9 - 40} more chars]`,
    );
  });
});
