// Search attributes every request carries, so operators can find requests in the Temporal UI:
// `LlmTaskType="code_generation" AND LlmStatus="failed"`. The list is registered on the dev server
// at start; on a real cluster register them once with `llm-orchestrator setup` (cli/setup.ts).
import { defineSearchAttributeKey, type SearchAttributePair, SearchAttributeType } from '@temporalio/common';

export const LlmTaskType = defineSearchAttributeKey('LlmTaskType', SearchAttributeType.KEYWORD);
export const LlmTemplateId = defineSearchAttributeKey('LlmTemplateId', SearchAttributeType.KEYWORD);
export const LlmTemplateVersion = defineSearchAttributeKey('LlmTemplateVersion', SearchAttributeType.KEYWORD);
export const LlmVariant = defineSearchAttributeKey('LlmVariant', SearchAttributeType.KEYWORD);
export const LlmModel = defineSearchAttributeKey('LlmModel', SearchAttributeType.KEYWORD);
export const LlmProvider = defineSearchAttributeKey('LlmProvider', SearchAttributeType.KEYWORD);
export const LlmStatus = defineSearchAttributeKey('LlmStatus', SearchAttributeType.KEYWORD);
export const LlmCaller = defineSearchAttributeKey('LlmCaller', SearchAttributeType.KEYWORD);
export const LlmCostUsd = defineSearchAttributeKey('LlmCostUsd', SearchAttributeType.DOUBLE);
export const LlmTotalTokens = defineSearchAttributeKey('LlmTotalTokens', SearchAttributeType.INT);
/** The provider's batch id (batch_…, msgbatch_…) on its provider batch workflow and on each request it answered. */
export const LlmBatchId = defineSearchAttributeKey('LlmBatchId', SearchAttributeType.KEYWORD);

export const searchAttributeKeys = [
  LlmTaskType,
  LlmTemplateId,
  LlmTemplateVersion,
  LlmVariant,
  LlmModel,
  LlmProvider,
  LlmStatus,
  LlmCaller,
  LlmCostUsd,
  LlmTotalTokens,
  LlmBatchId,
] as const;

/** What a request is searchable by from its start: set by the client in the start options, so the
 * workflow needs no upsert (one command and one visibility write less per request). */
export function startSearchAttributes(request: {
  taskType: string;
  templateId: string;
  caller?: string;
}): SearchAttributePair[] {
  return [
    { key: LlmTaskType, value: request.taskType },
    { key: LlmTemplateId, value: request.templateId },
    { key: LlmStatus, value: 'running' },
    ...(request.caller ? [{ key: LlmCaller, value: request.caller }] : []),
  ];
}

/** `--search-attribute Name=Type` arguments for `temporal server start-dev`. */
export function devServerSearchAttributeArgs(): string[] {
  const cliType: Record<string, string> = { KEYWORD: 'Keyword', DOUBLE: 'Double', INT: 'Int' };
  return searchAttributeKeys.flatMap((key) => [
    '--search-attribute',
    `${key.name}=${cliType[key.type] ?? 'Keyword'}`,
  ]);
}
