// Approval steps on a real dev server: the pipeline blocks until someone approves, a rejection ends it
// with the reason, a timeout applies the default, and the update's validator refuses decisions for
// unknown steps or steps that are not waiting (so they never reach history).
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: pipeline references are written as ${...} strings
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  decideApproval,
  pendingApprovals,
  pipelineChildren,
  pipelineHandle,
  pipelineResult,
  pipelineStatus,
  startPipeline,
} from '../client/pipelines.js';
import { failureType } from '../common/errors.js';
import type { ApprovalDefinition, PendingApproval, PipelineDefinition } from '../common/pipelines/types.js';
import { approveSignal } from '../workflows/pipelineMessages.js';
import { type Harness, startHarness } from './support/harness.js';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h?.stop();
});

/** draft -> review (approval) -> publish, where publish reads the reviewer's reason. */
function reviewed(approval: Partial<ApprovalDefinition> = {}): PipelineDefinition {
  return {
    name: 'reviewed',
    requiredInputs: ['topic'],
    steps: [
      {
        name: 'draft',
        taskType: 'general_qa',
        template: 'general_qa',
        model: 'gpt-4o-mini',
        variables: { question: 'Draft about ${input.topic}' },
      },
      {
        name: 'review',
        approval: {
          message: 'Publish this? ${steps.draft.output}',
          timeoutSeconds: 60,
          default: 'reject',
          ...approval,
        },
      },
      {
        name: 'publish',
        taskType: 'general_qa',
        template: 'general_qa',
        model: 'gpt-4o-mini',
        variables: { question: 'Publish, noting: ${steps.review.output.reason}' },
      },
    ],
  };
}

async function waitForPending(pipelineId: string): Promise<PendingApproval[]> {
  const until = Date.now() + 15_000;
  while (Date.now() < until) {
    const pending = await pendingApprovals(h.client, pipelineId);
    if (pending.length > 0) return pending;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no approval became pending in ${pipelineId}`);
}

async function refusal(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => assert.fail('should have been refused'),
    (e: unknown) => e as Error,
  );
}

describe('an approval step', () => {
  it('blocks until approved, refusing decisions for unknown or non-waiting steps', async () => {
    const { workflowId } = await startPipeline(h.client, {
      definition: reviewed(),
      input: { topic: 'durability' },
    });
    const [pending] = await waitForPending(workflowId);
    assert.equal(pending?.step, 'review');
    assert.equal(pending?.default, 'reject');
    assert.match(pending?.message ?? '', /^Publish this\? Emulated reply from gpt-4o-mini/);

    // Blocked: publish has not started while the review waits.
    await new Promise((r) => setTimeout(r, 300));
    const status = await pipelineStatus(h.client, workflowId);
    assert.deepEqual(
      status.steps.map((s) => [s.name, s.status]),
      [
        ['draft', 'completed'],
        ['review', 'awaiting_approval'],
        ['publish', 'pending'],
      ],
    );
    assert.deepEqual(
      (await pipelineChildren(h.client, workflowId)).map((c) => c.step),
      ['draft'],
    );

    const unknown = await refusal(decideApproval(h.client, workflowId, { step: 'reveiw', approve: true }));
    assert.equal(failureType(unknown), 'InvalidRequestError');
    assert.match(unknown.message, /unknown step "reveiw": this pipeline's approval steps are review/);
    const notApproval = await refusal(
      decideApproval(h.client, workflowId, { step: 'publish', approve: true }),
    );
    assert.match(notApproval.message, /step "publish" is not an approval step/);

    const outcome = await decideApproval(h.client, workflowId, {
      step: 'review',
      approve: true,
      reason: 'looks right',
      by: 'ada',
    });
    assert.deepEqual(outcome, { approved: true, timedOut: false, reason: 'looks right', by: 'ada' });
    const again = await refusal(decideApproval(h.client, workflowId, { step: 'review', approve: false }));
    assert.match(again.message, /step "review" is not awaiting approval/);

    const result = await pipelineResult(h.client, workflowId);
    assert.deepEqual(result.outputs.review, {
      approved: true,
      timedOut: false,
      reason: 'looks right',
      by: 'ada',
    });
    assert.match(String(result.outputs.publish), /noting: looks right/);

    // Only the accepted decision is in history: the validator kept the refused ones out.
    const history = await pipelineHandle(h.client, workflowId).fetchHistory();
    const accepted = (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    assert.equal(accepted.length, 1);
  });

  it('a rejection ends the pipeline with the reason; later steps never start', async () => {
    const { workflowId } = await startPipeline(h.client, {
      definition: reviewed(),
      input: { topic: 'rejection' },
    });
    await waitForPending(workflowId);
    await decideApproval(h.client, workflowId, {
      step: 'review',
      approve: false,
      reason: 'too vague',
      by: 'grace',
    });
    const error = await refusal(pipelineResult(h.client, workflowId));
    assert.equal(failureType(error), 'ApprovalRejectedError');
    assert.match(error.message, /step "review" was rejected by grace: too vague/);
    const status = await pipelineStatus(h.client, workflowId);
    assert.equal(status.stage, 'failed');
    assert.equal(status.steps.find((s) => s.name === 'publish')?.status, 'not_started');
  });

  it('a timeout takes the default: approve carries on, reject fails', async () => {
    const approved = await startPipeline(h.client, {
      definition: reviewed({ timeoutSeconds: 1, default: 'approve' }),
      input: { topic: 'timeout approve' },
    });
    const rejected = await startPipeline(h.client, {
      definition: reviewed({ timeoutSeconds: 1, default: 'reject' }),
      input: { topic: 'timeout reject' },
    });
    const result = await pipelineResult(h.client, approved.workflowId);
    assert.deepEqual(result.outputs.review, { approved: true, timedOut: true, reason: null, by: null });
    const error = await refusal(pipelineResult(h.client, rejected.workflowId));
    assert.equal(failureType(error), 'ApprovalRejectedError');
    assert.match(error.message, /had no decision within 1 s, and its default is reject/);
  });

  it('also takes the decision as a signal', async () => {
    const { workflowId } = await startPipeline(h.client, {
      definition: reviewed(),
      input: { topic: 'signal' },
    });
    await waitForPending(workflowId);
    await pipelineHandle(h.client, workflowId).signal(approveSignal, {
      step: 'review',
      approve: true,
      reason: 'ok',
    });
    const result = await pipelineResult(h.client, workflowId);
    assert.deepEqual(result.outputs.review, { approved: true, timedOut: false, reason: 'ok', by: null });
  });
});
