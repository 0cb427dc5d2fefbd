// Bad input drill: more than a thousand generated malformed requests — wrong types, missing fields
// and variables, huge variables, invalid schemas, unknown templates and models, prompts over every
// window, invalid UTF-16, deeply nested JSON — sent at concurrency 48 to a worker in its own process.
// Each must come back as one of the orchestrator's typed errors with a message; the worker must stay
// up; a valid request afterwards must still succeed. Template syntax inside variables is data, not
// code: those requests must succeed with the text untouched.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { timedRequest } from '../../bench/loadgen.js';
import { startWorkerProcess, type WorkerProcess } from '../../bench/workerProcess.js';
import * as errors from '../../common/errors.js';
import type { LlmRequest } from '../../common/request.js';
import { type Harness, requestId, startHarness } from '../support/harness.js';

const CONCURRENCY = 48;

/** Every failure type the orchestrator defines (the classes in common/errors.ts). */
const ORCHESTRATOR_ERROR_TYPES = new Set(
  Object.values(errors)
    .map((value) => (value as { type?: unknown }).type)
    .filter((type): type is string => typeof type === 'string'),
);

interface BadCase {
  category: string;
  request: unknown;
  /** The failure types this input may produce; an empty list means it must succeed. */
  expect: readonly string[];
  /** For inputs that must succeed: the exact text the emulator is asked to echo back. */
  echo?: string;
}

// --- generation ----------------------------------------------------------------------------------

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = seeded(20261125);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;

const TEMPLATES: readonly { taskType: string; templateId: string; variables: Record<string, string> }[] = [
  { taskType: 'general_qa', templateId: 'general_qa', variables: { question: 'What is a workflow?' } },
  { taskType: 'code_generation', templateId: 'code_generation', variables: { requirement: 'Sum two ints' } },
  {
    taskType: 'bug_fixing',
    templateId: 'bug_fixing',
    variables: { code: 'print(1/0)', error_description: 'ZeroDivisionError' },
  },
  {
    taskType: 'documentation_generation',
    templateId: 'documentation_generation',
    variables: { code: 'x=1' },
  },
  {
    taskType: 'requirement_analysis',
    templateId: 'requirement_breakdown',
    variables: { requirement: 'Login' },
  },
];

function base(label: string): Record<string, unknown> {
  const template = pick(TEMPLATES);
  return {
    requestId: requestId(`bad-${label}`),
    taskType: template.taskType,
    templateId: template.templateId,
    variables: { ...template.variables },
    model: 'gpt-4o-mini',
  };
}

const INVALID_FIELD_VALUES: Record<string, readonly unknown[]> = {
  requestId: [42, null, '', 'has space', 'x'.repeat(201), {}, []],
  taskType: [42, null, '', 'x'.repeat(101), []],
  templateId: [42, null, '', {}, 'x'.repeat(201)],
  templateVersion: [1.0, '', null, 'x'.repeat(51)],
  variables: ['a string', 42, null, [], true],
  outputFormat: ['xml', 42, null, 'JSON'],
  schema: ['a string', 42, [], null],
  model: [42, '', null, []],
  fallbackModels: ['gpt-4o', [42], [''], {}],
  params: [
    'hot',
    { temperature: 5 },
    { temperature: 'hot' },
    { topP: 2 },
    { maxOutputTokens: 0 },
    { maxOutputTokens: 1.5 },
    { stop: 'x' },
    { stop: ['a', 'b', 'c', 'd', 'e'] },
    { unknown: 1 },
  ],
  context: [
    'a string',
    [{}],
    [{ id: 1, content: 'c', relevanceScore: 1, timestamp: 't' }],
    [{ id: 'a', content: 'c', relevanceScore: 'high', timestamp: 't' }],
  ],
  deadlineSeconds: [0, -5, 'soon'],
  maxRepairs: [-1, 11, 1.5, 'two'],
  allowRegexFallback: ['yes', 1],
  stream: ['yes', 1],
  caller: [42, 'x'.repeat(201)],
  bogusField: [1, 'x'],
};

const INVALID_SCHEMAS: readonly Record<string, unknown>[] = [
  { type: 'nonsense' },
  { type: 123 },
  { properties: 'x' },
  { required: 'a' },
  { minLength: -1 },
  { items: 5 },
  { enum: 'x' },
  { $ref: '#/definitions/missing' },
  { pattern: '([' },
  { additionalProperties: 'no' },
  { type: ['string', 'bogus'] },
  { maxItems: 'ten' },
  { allOf: {} },
  { anyOf: [] },
  { not: 5 },
  { minimum: 'zero' },
  { oneOf: 'a' },
];

const TEMPLATE_SYNTAX: readonly string[] = [
  '{{ question }}',
  '{{ 7 | times: 6 }}',
  '{% assign secret = "x" %}{{ secret }}',
  '{% for i in (1..1000000000) %}x{% endfor %}',
  '{% raw %}{{ not evaluated }}{% endraw %}',
  '{% include "etc/passwd" %}',
  '{{ "a" | append: "b" | upcase }}',
  '{% if true %}yes{% endif %}',
  '{{',
  '{% unclosed',
  '}}{%%}{{}}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text a caller might send
  '${process.env.OPENAI_API_KEY}',
];

function deeplyNested(depth: number, useArrays: boolean): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = useArrays ? [value] : { n: value };
  return value;
}

function generateCases(): BadCase[] {
  const cases: BadCase[] = [];
  const add = (category: string, request: unknown, expect: readonly string[], echo?: string): void => {
    cases.push({ category, request, expect, ...(echo !== undefined ? { echo } : {}) });
  };
  const invalid = ['InvalidRequestError'];

  // Wrong types and values, refused by the client before anything starts: every field, every value,
  // on several base requests.
  for (let round = 0; round < 9; round++)
    for (const [field, values] of Object.entries(INVALID_FIELD_VALUES))
      for (const value of values) add(`wrong type: ${field}`, { ...base('type'), [field]: value }, invalid);
  for (const notAnObject of [null, 42, 'a request', [], true])
    add('wrong type: request', notAnObject, invalid);

  // Missing required fields (client) and missing template variables (worker).
  for (let round = 0; round < 10; round++)
    for (const field of ['requestId', 'taskType', 'templateId', 'variables']) {
      const request = base('missing');
      delete request[field];
      add(`missing field: ${field}`, request, invalid);
    }
  for (let i = 0; i < 80; i++) {
    const template = pick(TEMPLATES);
    const names = Object.keys(template.variables);
    const kept = Object.fromEntries(Object.entries(template.variables).filter(() => random() < 0.4));
    const variables = Object.keys(kept).length === names.length ? {} : kept;
    add(
      'missing variables',
      { ...base('novars'), taskType: template.taskType, templateId: template.templateId, variables },
      ['MissingVariablesError'],
    );
  }

  // Invalid JSON Schemas, at the top and nested under a property.
  for (let i = 0; i < 80; i++) {
    const bad = pick(INVALID_SCHEMAS);
    const schema = i % 2 ? bad : { type: 'object', properties: { [`field${i}`]: bad } };
    add('invalid schema', { ...base('schema'), outputFormat: 'json', schema }, ['InvalidSchemaError']);
  }

  // Unknown templates, template versions and models.
  for (let i = 0; i < 40; i++)
    add('unknown template', { ...base('tpl'), templateId: `no_such_template_${i}` }, [
      'TemplateNotFoundError',
    ]);
  for (let i = 0; i < 20; i++)
    add('unknown template version', { ...base('ver'), templateVersion: `${9 + i}.0` }, [
      'TemplateNotFoundError',
    ]);
  for (let i = 0; i < 40; i++)
    add('unknown model', { ...base('model'), model: `gpt-${99 + i}` }, ['UnknownModelError']);
  for (let i = 0; i < 30; i++)
    add('unknown fallback model', { ...base('fallback'), fallbackModels: ['gpt-4o', `claude-${i}-ultra`] }, [
      'UnknownModelError',
    ]);

  // Invalid UTF-16: lone surrogates cannot be encoded as the UTF-8 a provider reads.
  const lone = ['\ud800', '\udfff', '\udc00\ud800', '\ud83d'];
  for (let i = 0; i < 40; i++) {
    const request = base('utf16');
    const variables = request.variables as Record<string, unknown>;
    const [name] = Object.keys(variables);
    const text = `broken ${pick(lone)} text ${i}`;
    variables[name ?? 'question'] = i % 4 === 0 ? { nested: [text] } : text;
    add('invalid UTF-16 (lone surrogate)', request, invalid);
  }

  // Deeply nested JSON in variables.
  for (let i = 0; i < 20; i++) {
    const request = base('nested');
    (request.variables as Record<string, unknown>).extra = deeplyNested(2000 + i * 400, i % 2 === 0);
    add('deeply nested JSON', request, invalid);
  }

  // Huge variables: 5 MB (1.3 million tokens) is over every model's window, and over both the gRPC
  // message limit (4 MB) and Temporal's payload limit (2 MB); 2.5 MB is over the payload limit.
  add(
    'huge variables (5 MB)',
    { ...base('huge'), variables: { question: 'the '.repeat(1_300_000) } },
    invalid,
  );
  add(
    'huge variables (2.5 MB)',
    { ...base('huge'), variables: { question: 'the '.repeat(625_000) } },
    invalid,
  );
  // 240,000 tokens (under 1 MB) fit in a payload but in none of the windows its route can use
  // (gpt-4o-mini and gpt-4o: 128k, claude-haiku-4-5: 200k).
  for (let i = 0; i < 2; i++)
    add(
      'prompt over every window of its route',
      {
        ...base('window'),
        taskType: 'general_qa',
        templateId: 'general_qa',
        variables: { question: 'the '.repeat(240_000) },
      },
      ['AllModelsFailedError', 'ContextLengthExceededError'],
    );

  // Template syntax inside a variable is text: it must reach the model untouched. The emulator echoes
  // what is inside its reply marker, so the answer shows whether anything was evaluated.
  for (let i = 0; i < 36; i++) {
    const syntax = `${TEMPLATE_SYNTAX[i % TEMPLATE_SYNTAX.length]} #${i}`;
    add(
      'template syntax in variables (must succeed, untouched)',
      {
        ...base('liquid'),
        taskType: 'general_qa',
        templateId: 'general_qa',
        variables: { question: `[[emulator:reply=${syntax}]]` },
      },
      [],
      syntax,
    );
  }
  // The slow ones first, so that they overlap with the rest.
  const slow = (c: BadCase): boolean => c.category.startsWith('huge') || c.category.startsWith('prompt over');
  return [...cases.filter(slow), ...cases.filter((c) => !slow(c))];
}

// --- the drill -------------------------------------------------------------------------------------

let h: Harness;
let worker: WorkerProcess | undefined;
before(async () => {
  h = await startHarness({ worker: false });
  worker = await startWorkerProcess({
    address: h.env.address,
    taskQueue: h.taskQueue,
    emulatorUrl: h.emulator.url,
  });
});
after(async () => {
  worker?.kill('SIGKILL');
  await h?.stop();
});

interface Outcome {
  badCase: BadCase;
  type: string | undefined;
  message: string;
  text?: string;
  ms: number;
}

it('a thousand malformed requests each get a typed error; the worker stays up and serves a valid request after', async () => {
  const cases = generateCases();
  const expectingErrors = cases.filter((c) => c.expect.length > 0).length;
  assert.ok(expectingErrors >= 1000, `at least 1,000 malformed requests (${expectingErrors})`);

  const outcomes: Outcome[] = new Array(cases.length);
  let next = 0;
  const started = Date.now();
  const lane = async (): Promise<void> => {
    while (next < cases.length) {
      const index = next++;
      const badCase = cases[index] as BadCase;
      const record = await timedRequest(h.client, badCase.request as LlmRequest, index);
      outcomes[index] = {
        badCase,
        type: record.status === 'success' ? undefined : record.errorType,
        message: record.error ?? '',
        ms: record.latencyMs,
        ...(record.result ? { text: record.result.text } : {}),
      };
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  const elapsedMs = Date.now() - started;

  // Counts by category and by error type, for CI to show.
  const byType = new Map<string, number>();
  const byCategory = new Map<string, { sent: number; asExpected: number; got: Map<string, number> }>();
  const wrong: string[] = [];
  for (const outcome of outcomes) {
    const { category, expect, echo } = outcome.badCase;
    const got = outcome.type ?? 'success';
    byType.set(got, (byType.get(got) ?? 0) + 1);
    const entry = byCategory.get(category) ?? { sent: 0, asExpected: 0, got: new Map<string, number>() };
    entry.sent += 1;
    entry.got.set(got, (entry.got.get(got) ?? 0) + 1);
    const ok =
      expect.length === 0
        ? outcome.type === undefined && outcome.text === echo
        : outcome.type !== undefined &&
          ORCHESTRATOR_ERROR_TYPES.has(outcome.type) &&
          expect.includes(outcome.type) &&
          outcome.message.trim().length > 0;
    if (ok) entry.asExpected += 1;
    else if (wrong.length < 40)
      wrong.push(
        `${category}: expected ${expect.join('|') || `success echoing ${JSON.stringify(echo)}`}, got ${got}${outcome.type ? `: ${outcome.message.slice(0, 160)}` : `: ${JSON.stringify(outcome.text?.slice(0, 80))}`}`,
      );
    byCategory.set(category, entry);
  }
  console.log(
    `drill bad input: ${cases.length} requests (${expectingErrors} malformed, ${cases.length - expectingErrors} with template syntax in variables) at concurrency ${CONCURRENCY} in ${elapsedMs} ms`,
  );
  console.log(`  by outcome: ${JSON.stringify(Object.fromEntries([...byType].sort((a, b) => b[1] - a[1])))}`);
  for (const [category, entry] of byCategory)
    console.log(
      `  ${category}: sent ${entry.sent}, as expected ${entry.asExpected}, got ${JSON.stringify(Object.fromEntries(entry.got))}`,
    );
  for (const line of wrong) console.log(`  NOT AS EXPECTED ${line}`);

  // The worker process is still up, and still serves.
  assert.equal(worker?.child.exitCode, null, 'the worker process is still running');
  assert.equal(worker?.child.signalCode, null, 'the worker process was not killed');
  const valid = await h.client.process({
    requestId: requestId('after-bad-input'),
    taskType: 'general_qa',
    templateId: 'general_qa',
    variables: { question: 'Still there?' },
    model: 'gpt-4o-mini',
  });
  assert.equal(valid.model, 'gpt-4o-mini');
  console.log(
    `  valid request afterwards: answered by ${valid.model}; worker process ${worker?.pid} still running`,
  );

  assert.deepEqual(wrong, [], 'every malformed request got the typed error expected for it');
});
