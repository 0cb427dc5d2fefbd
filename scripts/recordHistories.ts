// Records one history of each kind of request into test/histories/, for `llm-orchestrator replay
// --dir test/histories` and test/replay.test.ts: a change to workflow code that would break running
// workflows then fails CI. Starts its own stack (a real dev server, the provider emulator and a
// worker: the test harness), sends each scenario, writes the workflow's history and every child's,
// depth first (one per model tried; a pipeline's steps and theirs), in Temporal's JSON format with
// a README saying what each file is, then replays everything it wrote against the same code.
//
//   node --import tsx scripts/recordHistories.ts [scenario ...]   (default: every scenario)
//
// To record a new kind of request, add a row to `scenarios`. Settings that would make a recording
// depend on the machine (a shared Redis cache, a prebuilt bundle, other templates) are ignored.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: pipeline references are written as ${...} strings
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  describeOutcomes,
  fetchHistories,
  historyToJson,
  readHistoryDir,
  replayHistories,
} from '../cli/replay.js';
import { runPipeline } from '../client/pipelines.js';
import { failureType } from '../common/errors.js';
import type { PipelineDefinition } from '../common/pipelines/types.js';
import type { JsonSchema, LlmRequest } from '../common/request.js';
import { projectRoot } from '../config/paths.js';
import type { FaultSpec } from '../emulator/faults.js';
import { type Harness, startHarness } from '../test/support/harness.js';

/** How a recorded workflow ended: answered by a provider, from the cache, or a finished pipeline. */
export type Outcome = 'answered' | 'cached' | 'completed' | { failureType: string };

export interface Scenario {
  /** File name stem: `<name>.json` for the workflow, `<name>--<child id>.json` for its children. */
  name: string;
  /** What the history shows, for the README. */
  description: string;
  /** Runs the workflow to record under `workflowId`; resolves to how it ended when it succeeded. */
  run: (h: Harness, workflowId: string) => Promise<Outcome>;
  /** Emulator faults queued before the scenario runs (and cleared after it). */
  faults?: FaultSpec[];
  /** How it must end; a recording that ends otherwise is an error, not a history. */
  expect: Outcome;
}

/** Sends one request and says whether a provider or the cache answered it. */
const send =
  (request: Omit<LlmRequest, 'requestId'>): Scenario['run'] =>
  async (h, requestId) => {
    const result = await h.client.process({ ...request, requestId });
    return result.cached ? 'cached' : 'answered';
  };

const answerSchema: JsonSchema = {
  type: 'object',
  required: ['answer', 'confidence'],
  additionalProperties: false,
  properties: { answer: { type: 'string' }, confidence: { type: 'number', minimum: 0, maximum: 1 } },
};

const question = (text: string): Omit<LlmRequest, 'requestId'> => ({
  taskType: 'general_qa',
  templateId: 'general_qa',
  templateVersion: '1.0',
  variables: { question: text },
});

const cachedQuestion = { ...question('What does a response cache save?'), model: 'gpt-4o-mini' };

const step = (name: string, text: string) => ({
  name,
  taskType: 'general_qa',
  template: 'general_qa',
  variables: { question: text },
  model: 'gpt-4o-mini',
});

const smallPipeline: PipelineDefinition = {
  name: 'history_pipeline',
  requiredInputs: ['topic'],
  steps: [
    step('facts', 'Three facts about ${input.topic}?'),
    step('pitfalls', 'Two pitfalls of ${input.topic}?'),
    step('summary', 'Summarise: ${steps.facts.output} ${steps.pitfalls.output}'),
  ],
};

export const scenarios: Scenario[] = [
  {
    name: 'shape-success',
    description:
      "one patch marker (request-shape-2026-12) for every change: the first model answers in the request's own history between beginRequest and finishRequest",
    run: send({ ...question('What does one marker save?'), model: 'gpt-4o-mini' }),
    expect: 'answered',
  },
  {
    name: 'shape-fallback',
    description:
      "one patch marker: the first model refuses the key (401) in the request's history; the model fallen back to is a modelCall child with its own marker",
    run: send({
      ...question('Where does a fallback run, one marker?'),
      model: 'gpt-4o',
      fallbackModels: ['claude-haiku-4-5'],
    }),
    faults: [{ model: 'gpt-4o', status: 401, times: 1 }],
    expect: 'answered',
  },
  {
    name: 'shape-repair',
    description:
      "one patch marker: a malformed JSON answer (the call's own verdict says so), re-asked in the request's history, then a schema-valid answer",
    run: send({ ...question('Answer as JSON, one marker.'), model: 'gpt-4o', schema: answerSchema }),
    faults: [{ model: 'gpt-4o', status: 'malformed', times: 1 }],
    expect: 'answered',
  },
  {
    name: 'shape-cache-hit',
    description: 'one patch marker: beginRequest answers from the response cache, no provider call',
    run: async (h, requestId) => {
      const ask = { ...question('What does a cached answer with one marker cost?'), model: 'gpt-4o-mini' };
      await send(ask)(h, `${requestId}-fill`);
      return send(ask)(h, requestId);
    },
    expect: 'cached',
  },
  {
    name: 'folded-success',
    description:
      "the first model answers in the request's own history between two local activities: beginRequest (render, plan, cache lookup, admit), invokeProvider (checks its own answer), finishRequest (settle, store)",
    run: send({ ...question('What do folded steps save?'), model: 'gpt-4o-mini' }),
    expect: 'answered',
  },
  {
    name: 'folded-fallback',
    description:
      "folded steps: the first model refuses the key (401) in the request's history; the model fallen back to is a modelCall child whose call checks its own answer",
    run: send({
      ...question('Where does a fallback run now?'),
      model: 'gpt-4o',
      fallbackModels: ['claude-haiku-4-5'],
    }),
    faults: [{ model: 'gpt-4o', status: 401, times: 1 }],
    expect: 'answered',
  },
  {
    name: 'folded-repair',
    description:
      "folded steps: a malformed JSON answer (the call's own verdict says so), re-asked in the request's history with the errors, then a schema-valid answer",
    run: send({ ...question('Answer as JSON, folded.'), model: 'gpt-4o', schema: answerSchema }),
    faults: [{ model: 'gpt-4o', status: 'malformed', times: 1 }],
    expect: 'answered',
  },
  {
    name: 'folded-cache-hit',
    description:
      'folded steps: beginRequest answers from the response cache, one local activity and no provider call (a first identical request filled the cache)',
    run: async (h, requestId) => {
      await send(cachedQuestion)(h, `${requestId}-fill`);
      return send(cachedQuestion)(h, requestId);
    },
    expect: 'cached',
  },
  {
    name: 'fast-success',
    description:
      "the fast path: the first model answers in the request's own history (invokeProvider, validate), no child",
    run: send({ ...question('What does the fast path save?'), model: 'gpt-4o-mini' }),
    expect: 'answered',
  },
  {
    name: 'fast-fallback',
    description:
      "the fast path: the first model refuses the key (401) in the request's history; the model fallen back to is a modelCall child",
    run: send({
      ...question('Where does a fallback run?'),
      model: 'gpt-4o',
      fallbackModels: ['claude-haiku-4-5'],
    }),
    faults: [{ model: 'gpt-4o', status: 401, times: 1 }],
    expect: 'answered',
  },
  {
    name: 'success',
    description: 'answered by the first model: render, plan, one modelCall child (invokeProvider, validate)',
    run: send({ ...question('What is a durable workflow?'), model: 'gpt-4o-mini' }),
    expect: 'answered',
  },
  {
    name: 'retry',
    description:
      'rate limited once (429, retry-after 1 s), then answered by the same model on its second try',
    run: send({ ...question('Why retry with back-off?'), model: 'claude-haiku-4-5' }),
    faults: [{ model: 'claude-haiku-4-5', status: 429, times: 1, retryAfterSeconds: 1 }],
    expect: 'answered',
  },
  {
    name: 'fallback',
    description: 'the first model refuses the key (401, not retried); the next model of the chain answers',
    run: send({
      ...question('What is a fallback chain?'),
      model: 'gpt-4o',
      fallbackModels: ['claude-haiku-4-5'],
    }),
    faults: [{ model: 'gpt-4o', status: 401, times: 1 }],
    expect: 'answered',
  },
  {
    name: 'repair',
    description: 'a malformed JSON answer, re-asked with the validation errors, then a schema-valid answer',
    run: send({ ...question('Answer as JSON, please.'), model: 'gpt-4o', schema: answerSchema }),
    faults: [{ model: 'gpt-4o', status: 'malformed', times: 1 }],
    expect: 'answered',
  },
  {
    name: 'failed',
    description: 'every model of the chain refuses (401): the request fails with AllModelsFailedError',
    run: send({ ...question('Will anyone answer?'), model: 'gpt-4o-mini' }),
    faults: [{ model: '*', status: 401, times: 20 }],
    expect: { failureType: 'AllModelsFailedError' },
  },
  {
    name: 'context',
    description:
      'context items pruned to the model window by the prepareMessages local activity in the child',
    run: send({
      ...question('What does the context say about replay?'),
      model: 'gpt-4o-mini',
      context: [
        {
          id: 'a',
          content: 'Replay re-runs workflow code against its history.',
          relevanceScore: 0.9,
          timestamp: '2026-01-02T00:00:00Z',
        },
        {
          id: 'b',
          content: 'Unrelated note about lunch.',
          relevanceScore: 0.1,
          timestamp: '2026-01-01T00:00:00Z',
        },
      ],
    }),
    expect: 'answered',
  },
  {
    name: 'cache-hit',
    description:
      'answered from the response cache: render, plan, a cache hit, no modelCall child (a first identical request filled the cache)',
    run: async (h, requestId) => {
      await send(cachedQuestion)(h, `${requestId}-fill`);
      return send(cachedQuestion)(h, requestId);
    },
    expect: 'cached',
  },
  {
    name: 'pipeline',
    description:
      'a typed pipeline: two independent steps in parallel, then a step that uses both outputs; each step a pipelineStep child with its own modelCall child',
    run: async (h, pipelineId) => {
      await runPipeline(h.client, {
        definition: smallPipeline,
        input: { topic: 'durable execution' },
        pipelineId,
      });
      return 'completed';
    },
    expect: 'completed',
  },
  {
    name: 'agent',
    description:
      'an agent: step 1 a child llmRequest that calls two tools, both run in parallel as runAgentTool activities; step 2 a child llmRequest that answers',
    run: async (h, runId) => {
      const rounds = [
        [
          { name: 'calculator', arguments: { expression: '(17 + 4) * 2' } },
          { name: 'word_count', arguments: { text: 'durable agents keep going' } },
        ],
      ];
      await h.env.client.workflow.execute('agent', {
        taskQueue: h.taskQueue,
        workflowId: runId,
        args: [
          {
            runId,
            input: 'How much is (17 + 4) * 2, and how many words are in "durable agents keep going"?',
            definition: {
              id: 'history_agent',
              instructions: `Use the tools. <<emulator:script=${JSON.stringify(rounds)}>>`,
              model: 'gpt-4o-mini',
              tools: ['calculator', 'word_count'],
            },
          },
        ],
      });
      return 'completed';
    },
    expect: 'completed',
  },
];

interface RecordedHistory {
  file: string;
  /** Temporal's JSON history format, as `temporal workflow show --output json` writes it. */
  json: string;
}

async function record(h: Harness, scenario: Scenario): Promise<RecordedHistory[]> {
  const workflowId = `history-${scenario.name}`;
  for (const fault of scenario.faults ?? []) h.emulator.addFault(fault);
  try {
    const outcome = await scenario
      .run(h, workflowId)
      .catch((error: unknown): Outcome => ({ failureType: failureType(error) ?? String(error) }));
    if (JSON.stringify(outcome) !== JSON.stringify(scenario.expect))
      throw new Error(
        `${scenario.name}: expected ${JSON.stringify(scenario.expect)}, got ${JSON.stringify(outcome)}`,
      );
  } finally {
    h.emulator.clearFaults();
  }
  const histories = await fetchHistories(h.env.client, workflowId);
  console.log(`${scenario.name}: the workflow and ${histories.length - 1} child workflow(s)`);
  return histories.map(({ workflowId: id, history }) => ({
    file: `${id.replace(workflowId, scenario.name).replaceAll('/', '--')}.json`,
    json: `${historyToJson(history)}\n`,
  }));
}

/** Environment that would make a recording depend on this machine rather than on the code. */
const IGNORED_ENV = [
  'REDIS_URL', // a shared cache could answer a request that must reach a provider
  'WORKFLOW_BUNDLE_PATH', // a bundle built from other code
  'TEMPLATES_DIR',
  'MODEL_CATALOG',
  'ROUTING_TABLE',
  'PIPELINES_DIR',
];

const scenarioOf = (file: string): Scenario | undefined =>
  scenarios.find((s) => file === `${s.name}.json` || file.startsWith(`${s.name}--`));

interface HistoryFile {
  events?: {
    eventType?: string;
    workflowExecutionStartedEventAttributes?: {
      workflowId?: string;
      workflowType?: { name?: string };
      parentWorkflowExecution?: { workflowId?: string };
    };
  }[];
}

/** One README row per history file in the folder, described from the file itself. */
function describeFile(dir: string, file: string): string {
  const history = JSON.parse(readFileSync(join(dir, file), 'utf8')) as HistoryFile;
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  const last = history.events?.at(-1)?.eventType ?? '';
  const ended = last.replace(/^EVENT_TYPE_WORKFLOW_EXECUTION_/, '').toLowerCase();
  const parent = started?.parentWorkflowExecution?.workflowId;
  const what = parent
    ? `child of \`${parent}\`: ${started?.workflowId?.split('/').at(-1)}`
    : (scenarioOf(file)?.description ?? 'kept from an earlier recording, for runs started before a patch');
  return `| \`${file}\` | \`${started?.workflowType?.name ?? '?'}\` | ${ended} | ${what} |`;
}

function readme(dir: string): string {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  return [
    '# Recorded histories',
    '',
    'One history per kind of request, replayed by CI against the current workflow code',
    '(`test/replay.test.ts`, or by hand: `npm run cli -- replay --dir test/histories`). A change to',
    '`workflows/` that alters the commands an existing history recorded fails that replay: see',
    '`docs/determinism.md` for how to make such a change safely with `patched()`.',
    '',
    'Written by `node --import tsx scripts/recordHistories.ts [scenario ...]`, which starts its own dev',
    'server, provider emulator and worker, records each scenario, then replays everything in this folder;',
    "each file is Temporal's JSON history format (`temporal workflow show --output json`). Add a kind of",
    "request by adding a row to `scenarios` in that script. Re-recording replaces a scenario's files: keep",
    '(rename) the old ones while runs started by the old code may still exist.',
    '',
    '| file | workflow | ended | what it is |',
    '| --- | --- | --- | --- |',
    ...files.map((file) => describeFile(dir, file)),
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const chosen = wanted.length ? scenarios.filter((s) => wanted.includes(s.name)) : scenarios;
  const unknown = wanted.filter((name) => !scenarios.some((s) => s.name === name));
  if (unknown.length)
    throw new Error(
      `unknown scenario(s) ${unknown.join(', ')}; known: ${scenarios.map((s) => s.name).join(', ')}`,
    );
  for (const name of IGNORED_ENV)
    if (process.env[name] !== undefined) {
      console.log(`ignoring ${name}: recordings use this checkout's defaults`);
      delete process.env[name];
    }
  const h = await startHarness();
  const recorded: RecordedHistory[] = [];
  try {
    for (const scenario of chosen) recorded.push(...(await record(h, scenario)));
  } finally {
    await h.stop();
  }
  const dir = join(projectRoot, 'test', 'histories');
  mkdirSync(dir, { recursive: true });
  // Replace the chosen scenarios' files (a scenario may now have fewer children); keep every other file.
  for (const file of readdirSync(dir))
    if (chosen.includes(scenarioOf(file) as Scenario)) rmSync(join(dir, file));
  for (const r of recorded) writeFileSync(join(dir, r.file), r.json);
  writeFileSync(join(dir, 'README.md'), readme(dir));
  console.log(`wrote ${recorded.length} histories to ${dir}`);
  // What CI will do with them: a recording that does not replay is no use.
  const outcomes = await replayHistories(readHistoryDir(dir));
  console.log(describeOutcomes(outcomes));
  if (outcomes.some((o) => o.error)) process.exitCode = 1;
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
