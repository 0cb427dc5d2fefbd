// Approval steps: the pipeline waits until someone approves or rejects through the `approve` update
// (or signal), or until the step's timeout applies its default. The update's validator refuses
// decisions for unknown steps and steps that are not waiting, so they never reach history.
import { condition, log, setHandler } from '@temporalio/workflow';
import { InvalidRequestError } from '../common/errors.js';
import { ApprovalRejectedError } from '../common/pipelines/errors.js';
import type {
  ApprovalDecision,
  ApprovalOutcome,
  ApprovalStepDefinition,
  PendingApproval,
  StepState,
} from '../common/pipelines/types.js';
import { approveSignal, approveUpdate, pendingApprovalsQuery } from './pipelineMessages.js';

export class ApprovalDesk {
  private readonly pending = new Map<string, PendingApproval>();
  private readonly decisions = new Map<string, ApprovalDecision>();

  constructor(private readonly steps: () => StepState[]) {}

  /** Registers the update, signal and query; call before the workflow's first await. */
  install(): void {
    setHandler(approveUpdate, (decision) => this.decide(decision), {
      validator: (decision) => {
        const problem = this.problem(decision);
        if (problem) throw new InvalidRequestError(problem, { details: { step: decision?.step } });
      },
    });
    setHandler(approveSignal, (decision) => {
      const problem = this.problem(decision);
      if (problem) log.warn(`approval signal ignored: ${problem}`);
      else this.decide(decision);
    });
    setHandler(pendingApprovalsQuery, () => this.list());
  }

  list(): PendingApproval[] {
    return [...this.pending.values()];
  }

  private problem(decision: ApprovalDecision | undefined): string | undefined {
    if (!decision || typeof decision.step !== 'string' || typeof decision.approve !== 'boolean')
      return 'a decision is { step: string, approve: boolean, reason?: string, by?: string }';
    const steps = this.steps();
    if (steps.length === 0) return 'the pipeline is still loading its definition; try again in a moment';
    const state = steps.find((s) => s.name === decision.step);
    const approvalSteps = steps.filter((s) => s.kind === 'approval').map((s) => s.name);
    if (!state) {
      return `unknown step "${decision.step}": this pipeline's approval steps are ${approvalSteps.join(', ') || 'none'}`;
    }
    if (state.kind !== 'approval') return `step "${decision.step}" is not an approval step`;
    if (!this.pending.has(decision.step))
      return `step "${decision.step}" is not awaiting approval (it is ${state.status.replace('_', ' ')})`;
    return undefined;
  }

  private decide(decision: ApprovalDecision): ApprovalOutcome {
    // Taken off the pending list at once, so a second decision for the same step is refused.
    this.pending.delete(decision.step);
    this.decisions.set(decision.step, decision);
    return outcomeOf(decision);
  }

  /** Waits for the decision; a rejection (or a timeout whose default is reject) throws ApprovalRejectedError. */
  async wait(step: ApprovalStepDefinition, message: string | undefined): Promise<ApprovalOutcome> {
    const { name, approval } = step;
    const timeoutMs = approval.timeoutSeconds * 1000;
    this.pending.set(name, {
      step: name,
      ...(message !== undefined ? { message } : {}),
      requestedAt: new Date().toISOString(),
      timeoutAt: new Date(Date.now() + timeoutMs).toISOString(),
      default: approval.default,
    });
    let decided: boolean;
    try {
      decided = await condition(() => this.decisions.has(name), timeoutMs);
    } finally {
      this.pending.delete(name);
    }
    const decision = this.decisions.get(name);
    if (decided && decision) {
      if (decision.approve) return outcomeOf(decision);
      const by = decision.by ? ` by ${decision.by}` : '';
      throw new ApprovalRejectedError(
        `step "${name}" was rejected${by}: ${decision.reason ?? 'no reason given'}`,
        {
          details: { step: name, reason: decision.reason ?? null, by: decision.by ?? null, timedOut: false },
        },
      );
    }
    if (approval.default === 'approve') return { approved: true, timedOut: true, reason: null, by: null };
    throw new ApprovalRejectedError(
      `step "${name}" had no decision within ${approval.timeoutSeconds} s, and its default is reject`,
      { details: { step: name, reason: 'timeout', timedOut: true } },
    );
  }
}

function outcomeOf(decision: ApprovalDecision): ApprovalOutcome {
  return {
    approved: decision.approve,
    timedOut: false,
    reason: decision.reason ?? null,
    by: decision.by ?? null,
  };
}
