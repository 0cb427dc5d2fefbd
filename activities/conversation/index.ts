// Activities of conversations and summaries: both only count and plan (local activities); the
// model calls themselves go through child llmRequest workflows.
import type { ActivityDeps } from '../deps.js';
import { createFitConversation, type FitConversationInput, type FitConversationResult } from './fit.js';
import { createPlanSummary, type PlanSummaryInput, type SummaryPlan } from './summaryPlan.js';

export type { FitConversationInput, FitConversationResult } from './fit.js';
export type { PlanSummaryInput, SummaryPlan } from './summaryPlan.js';

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
