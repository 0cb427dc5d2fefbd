// The cache key covers everything that changes the answer: task type, template id and version (and
// variant), the rendered messages (their images and tool calls included), the tools offered and how
// the model may choose among them, the context items, the model (or, when routing chooses, the route
// that chooses it), the generation parameters, the output format and the schema. Anything else
// (request id, caller, deadline, streaming) does not change the answer and stays out.
import { messageText, toolCallText } from '../../common/messages.js';
import { pickDefined } from '../../common/pick.js';
import type { RoutePlan } from '../../common/plan.js';
import type { RenderedPrompt } from '../../common/prompt.js';
import type {
  ChatMessage,
  ContextItem,
  GenerationParams,
  JsonSchema,
  LlmRequest,
  OutputFormat,
  RoutingCriteria,
  ToolChoice,
  ToolDefinition,
} from '../../common/request.js';
import { canonicalJson, sha256Hex } from './canonical.js';

/** Bump when the key's material changes meaning, so old entries are never read as new ones. */
export const CACHE_KEY_VERSION = 'v1';

export interface CacheKeyInput {
  taskType: string;
  templateId: string;
  templateVersion: string;
  variant?: string;
  messages: ChatMessage[];
  context?: ContextItem[];
  pruning?: LlmRequest['pruning'];
  /** The pinned model id, or the model class: the routing inputs that pick the model. */
  model: string | { route: string; fallbackModels: string[]; criteria?: RoutingCriteria };
  /** Effective parameters, maxOutputTokens included. */
  params: GenerationParams;
  outputFormat: OutputFormat;
  schema?: JsonSchema;
  allowRegexFallback?: boolean;
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
}

export type CacheKeySource = {
  request: Pick<
    LlmRequest,
    | 'taskType'
    | 'model'
    | 'fallbackModels'
    | 'criteria'
    | 'params'
    | 'outputFormat'
    | 'schema'
    | 'context'
    | 'pruning'
    | 'allowRegexFallback'
    | 'tools'
    | 'toolChoice'
    | 'parallelToolCalls'
  >;
  rendered: Pick<
    RenderedPrompt,
    'templateId' | 'version' | 'variant' | 'messages' | 'outputFormat' | 'schema'
  >;
  plan: Pick<RoutePlan, 'maxOutputTokens'>;
};

/** The key material of a request, with the same defaults the workflow applies. */
export function cacheKeyInput({ request, rendered, plan }: CacheKeySource): CacheKeyInput {
  const schema = request.schema ?? rendered.schema;
  return {
    taskType: request.taskType,
    templateId: rendered.templateId,
    templateVersion: rendered.version,
    messages: rendered.messages,
    model: request.model ?? {
      route: request.taskType,
      fallbackModels: request.fallbackModels ?? [],
      ...(request.criteria ? { criteria: request.criteria } : {}),
    },
    params: { ...request.params, maxOutputTokens: plan.maxOutputTokens },
    outputFormat: request.outputFormat ?? rendered.outputFormat ?? (schema ? 'json' : 'text'),
    ...(rendered.variant ? { variant: rendered.variant } : {}),
    ...(request.context?.length ? { context: request.context } : {}),
    ...(request.pruning ? { pruning: request.pruning } : {}),
    ...(schema ? { schema } : {}),
    ...(request.allowRegexFallback ? { allowRegexFallback: true } : {}),
    // Only when set, so keys of requests without tools are what they always were.
    ...pickDefined(request, ['tools', 'toolChoice', 'parallelToolCalls']),
  };
}

export function cacheKey(input: CacheKeyInput): string {
  return `${CACHE_KEY_VERSION}:${sha256Hex(canonicalJson(input))}`;
}

/**
 * What a semantic hit must still match exactly: everything but the messages, whose meaning is
 * compared by embedding instead.
 */
export function semanticScope(input: CacheKeyInput): string {
  const { messages: _messages, ...rest } = input;
  return sha256Hex(canonicalJson(rest));
}

/** The text whose embedding stands for the prompt. */
export function semanticText(messages: readonly ChatMessage[]): string {
  return messages
    .map((m) => [`${m.role}: ${messageText(m)}`, ...(m.toolCalls ?? []).map(toolCallText)].join('\n'))
    .join('\n');
}
