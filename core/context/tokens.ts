// Token counting per tokenizer: exact for OpenAI's public encodings, a deliberately pessimistic
// estimate for Anthropic, whose tokenizer is not public. Pruning decides what the model sees from
// these numbers, so an estimate must err towards "more tokens" (drop a little more context) rather
// than towards a context_length_exceeded error from the provider.
import { ConfigError } from '../../common/errors.js';
import { messageImages, messageText, toolCallText } from '../../common/messages.js';
import type { ChatMessage, ImagePart, ToolDefinition } from '../../common/request.js';
import { type BpeEncoding, countBpeTokens, loadEncoding } from './encoding.js';
import { anthropicImageTokens, openAiImageTokens, partImageSize } from './images.js';

/** The estimate for Claude models, whose tokenizer is not public; named so in the catalog's data. */
// boundary-ok: a tokenizer's name in config/models.yaml, not a provider
export const ESTIMATE_TOKENIZER = 'anthropic';

/** `o200k_base`: GPT-4o, GPT-4.1, o-series, GPT-5. `cl100k_base`: GPT-4, GPT-3.5. The estimate: Claude. */
export type Tokenizer = 'o200k_base' | 'cl100k_base' | typeof ESTIMATE_TOKENIZER;

export const TOKENIZERS: readonly Tokenizer[] = ['o200k_base', 'cl100k_base', ESTIMATE_TOKENIZER];

/**
 * Tokens the chat format adds around every message (`<|start|>{role}<|message|>…<|end|>` less the
 * role, which is counted as text), per OpenAI's cookbook "How to count tokens with tiktoken" for
 * gpt-3.5-turbo-0613 and later, GPT-4 and GPT-4o.
 */
export const MESSAGE_OVERHEAD_TOKENS = 3;

/** Every reply is primed with `<|start|>assistant<|message|>`: 3 tokens, once per request. */
export const REPLY_PRIMING_TOKENS = 3;

/**
 * Claude's tokenizer is not published. Comparisons against Anthropic's token-counting endpoint
 * commonly show Claude producing more tokens than cl100k_base for the same text, a few percent more
 * on English prose and more on code. Estimating cl100k × 1.15, rounded up, keeps pruning on the safe
 * side: an overestimate drops a little more context, an underestimate would fail the request with
 * context_length_exceeded. Not measured here (no Anthropic access); adjust when real counts show otherwise.
 */
export const ANTHROPIC_ESTIMATE_FACTOR = 1.15;

export interface TokenCounter {
  readonly tokenizer: Tokenizer;
  /** Tokens of `text` on its own (no chat-format overhead). */
  count(text: string): number;
  /** Tokens a chat request with these messages uses as input, format overhead and reply priming included. */
  countMessages(messages: readonly ChatMessage[]): number;
  /** Tokens one message's content takes: its text, its tool calls and its images (no overhead). */
  countContent(message: ChatMessage): number;
  /**
   * Tokens the tool definitions add to a request. Providers do not publish how they render tools
   * into the prompt; counting their JSON is a documented estimate that errs high.
   */
  countTools(tools: readonly ToolDefinition[]): number;
}

type ImageRule = (part: ImagePart) => number;

const openAiImages: ImageRule = (part) => openAiImageTokens(partImageSize(part), part.detail);
const anthropicImages: ImageRule = (part) => anthropicImageTokens(partImageSize(part));

function contentTokens(encoding: BpeEncoding, images: ImageRule, message: ChatMessage): number {
  let total = countBpeTokens(encoding, messageText(message));
  for (const call of message.toolCalls ?? []) total += countBpeTokens(encoding, toolCallText(call));
  if (message.toolCallId) total += countBpeTokens(encoding, message.toolCallId);
  for (const image of messageImages(message)) total += images(image);
  return total;
}

function exactMessagesCount(
  encoding: BpeEncoding,
  images: ImageRule,
  messages: readonly ChatMessage[],
): number {
  if (messages.length === 0) return 0;
  let total = REPLY_PRIMING_TOKENS;
  for (const message of messages) {
    total += MESSAGE_OVERHEAD_TOKENS + countBpeTokens(encoding, message.role);
    total += contentTokens(encoding, images, message);
  }
  return total;
}

function toolsTokens(encoding: BpeEncoding, tools: readonly ToolDefinition[]): number {
  return tools.length === 0 ? 0 : countBpeTokens(encoding, JSON.stringify(tools));
}

function exactCounter(encoding: BpeEncoding): TokenCounter {
  return {
    tokenizer: encoding,
    count: (text) => countBpeTokens(encoding, text),
    countMessages: (messages) => exactMessagesCount(encoding, openAiImages, messages),
    countContent: (message) => contentTokens(encoding, openAiImages, message),
    countTools: (tools) => toolsTokens(encoding, tools),
  };
}

function anthropicEstimate(): TokenCounter {
  const estimate = (cl100k: number): number => Math.ceil(cl100k * ANTHROPIC_ESTIMATE_FACTOR);
  return {
    tokenizer: ESTIMATE_TOKENIZER,
    count: (text) => estimate(countBpeTokens('cl100k_base', text)),
    countMessages: (messages) => {
      // Images are counted by Anthropic's own estimate, outside the text factor.
      const images = messages.flatMap(messageImages).reduce((sum, part) => sum + anthropicImages(part), 0);
      return estimate(exactMessagesCount('cl100k_base', () => 0, messages)) + images;
    },
    countContent: (message) =>
      estimate(contentTokens('cl100k_base', () => 0, message)) +
      messageImages(message).reduce((sum, part) => sum + anthropicImages(part), 0),
    countTools: (tools) => estimate(toolsTokens('cl100k_base', tools)),
  };
}

const counters = new Map<Tokenizer, TokenCounter>();

export function isTokenizer(value: unknown): value is Tokenizer {
  return typeof value === 'string' && (TOKENIZERS as readonly string[]).includes(value);
}

/**
 * The counter for `tokenizer`, one per process. The encoder behind it is built on first use (the
 * slow part, up to a second); call `warmUpTokenizers` at worker start to pay that before a request.
 */
export function tokenCounter(tokenizer: Tokenizer): TokenCounter {
  let counter = counters.get(tokenizer);
  if (!counter) {
    // The tokenizer usually comes from the model catalog: a typo there must name itself.
    if (!isTokenizer(tokenizer)) {
      throw new ConfigError(
        `Unknown tokenizer "${String(tokenizer)}"; expected one of ${TOKENIZERS.join(', ')}`,
      );
    }
    counter = tokenizer === ESTIMATE_TOKENIZER ? anthropicEstimate() : exactCounter(tokenizer);
    counters.set(tokenizer, counter);
  }
  return counter;
}

/**
 * The counter for a catalog model (`ModelSpec.tokenizer` is a plain string in the catalog's data);
 * throws ConfigError naming the valid tokenizers when it is not one of them.
 */
export function counterForModel(model: { id?: string; tokenizer: string }): TokenCounter {
  if (!isTokenizer(model.tokenizer)) {
    const which = model.id ? `Model "${model.id}" has unknown tokenizer` : 'Unknown tokenizer';
    throw new ConfigError(`${which} "${model.tokenizer}"; expected one of ${TOKENIZERS.join(', ')}`);
  }
  return tokenCounter(model.tokenizer);
}

/** Loads the rank tables now (about 0.5-1.2 s each) so the first request does not pay for it. */
export function warmUpTokenizers(tokenizers: readonly Tokenizer[] = TOKENIZERS): void {
  for (const tokenizer of tokenizers)
    loadEncoding(tokenizer === ESTIMATE_TOKENIZER ? 'cl100k_base' : tokenizer);
}
