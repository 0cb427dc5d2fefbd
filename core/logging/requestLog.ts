// What a request's activities say about it, beyond the SDK's own lines: its steps (TRACE_REQUESTS or
// LOG_LEVEL=debug), its tokens and cost (LOG_TOKEN_USAGE), its prompts and answers (LOG_PROMPTS,
// redacted). Each method checks its switch first, so with the switches off a call costs one branch
// and builds nothing. Lines go through the activity's context logger, which adds workflow id,
// activity type, request id and model (see logContext.ts).
import { Context } from '@temporalio/activity';
import type { Logger } from '@temporalio/common';
import { messageText } from '../../common/messages.js';
import type { RoutePlan } from '../../common/plan.js';
import type { RenderedPrompt } from '../../common/prompt.js';
import type { ChatMessage, TokenUsage } from '../../common/request.js';
import { type GenAiCall, recordGenAiSpan } from './genAiSpan.js';
import { redactForLog } from './redact.js';
import { defaultLogSettings, type LogSettings, levelEnabled } from './settings.js';

/** One provider call as the step log reports it. */
export interface ProviderTry {
  model: string;
  provider: string;
  try: number;
  durationMs: number;
  outcome: 'success' | 'failed';
  errorType?: string;
  retryable?: boolean;
  status?: number;
}

export class RequestLog {
  /** The level step lines are written at, or undefined when nobody would see them. */
  private readonly stepLevel: 'info' | 'debug' | undefined;
  private readonly tokens: boolean;
  private readonly prompts: boolean;

  constructor(private readonly settings: LogSettings = defaultLogSettings) {
    const stepLevel = settings.traceRequests ? 'info' : 'debug';
    this.stepLevel = levelEnabled(settings, stepLevel) ? stepLevel : undefined;
    this.tokens = settings.tokenUsage && levelEnabled(settings, 'info');
    this.prompts = settings.prompts && levelEnabled(settings, 'info');
  }

  rendered(rendered: RenderedPrompt): void {
    if (!this.stepLevel) return;
    activityLogger()?.[this.stepLevel]('prompt rendered', {
      templateId: rendered.templateId,
      templateVersion: rendered.version,
      ...(rendered.variant ? { variant: rendered.variant } : {}),
      messages: rendered.messages.length,
      promptTokens: rendered.tokenCounts.reduce((sum, n) => sum + n, 0),
    });
  }

  planned(plan: RoutePlan): void {
    if (!this.stepLevel) return;
    activityLogger()?.[this.stepLevel]('route planned', {
      taskType: plan.taskType,
      chain: plan.models.map((m) => m.model.id),
      skipped: plan.skipped.map((s) => `${s.model}: ${s.reason}`),
      decision: plan.decision,
    });
  }

  providerTry(call: ProviderTry): void {
    if (!this.stepLevel) return;
    activityLogger()?.[this.stepLevel](
      `provider call ${call.outcome === 'success' ? 'succeeded' : 'failed'}`,
      {
        ...call,
      },
    );
  }

  tokenUsage(call: { model: string; provider: string; usage: TokenUsage; costUsd: number }): void {
    if (!this.tokens) return;
    activityLogger()?.info('token usage', {
      model: call.model,
      provider: call.provider,
      inputTokens: call.usage.inputTokens,
      outputTokens: call.usage.outputTokens,
      totalTokens: call.usage.totalTokens,
      ...(call.usage.cachedInputTokens ? { cachedInputTokens: call.usage.cachedInputTokens } : {}),
      costUsd: call.costUsd,
    });
  }

  /** The provider call's GenAI attributes on its span, when OTEL_SEMCONV_STABILITY_OPT_IN asks. */
  genAi(call: GenAiCall): void {
    if (this.settings.genAiSpans) recordGenAiSpan(call);
  }

  prompt(messages: readonly ChatMessage[]): void {
    if (!this.prompts) return;
    const max = this.settings.maxPromptChars;
    activityLogger()?.info('prompt', {
      messages: messages.map((m) => ({ role: m.role, content: redactForLog(messageText(m), max) })),
    });
  }

  response(text: string): void {
    if (!this.prompts) return;
    activityLogger()?.info('response', { text: redactForLog(text, this.settings.maxPromptChars) });
  }
}

/** The running activity's logger; none outside an activity (a test calling the function directly). */
function activityLogger(): Logger | undefined {
  try {
    return Context.current().log;
  } catch {
    return undefined;
  }
}
