// Activities of conversations and summaries: both only count and plan (local activities); the
// model calls themselves go through child llmRequest workflows.

import {
  createFitConversation,
  type FitConversationInput,
  type FitConversationResult,
} from '../core/conversation/fit.js';
import {
  createPlanSummary,
  type PlanSummaryInput,
  type SummaryPlan,
} from '../core/conversation/summaryPlan.js';
import type { ActivityDeps } from './deps.js';

export type { FitConversationInput, FitConversationResult } from '../core/conversation/fit.js';
export type { PlanSummaryInput, SummaryPlan } from '../core/conversation/summaryPlan.js';

export interface ConversationActivities {
  fitConversation(input: FitConversationInput): Promise<FitConversationResult>;
  planSummary(input: PlanSummaryInput): Promise<SummaryPlan>;
}

export function createConversationActivities(deps: ActivityDeps): ConversationActivities {
  return {
    fitConversation: createFitConversation(deps),
    planSummary: createPlanSummary(deps),
  };
}
