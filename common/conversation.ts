// The conversation's data: what a client starts it with, what it keeps between turns (and carries
// across continue-as-new), and what a turn answers. Pure: imported by the workflows, the
// conversation activities and the client alike.
import type { GenerationParams, JsonValue, LlmRequest, TokenUsage } from './request.js';

/** How a summary is made: by a cheaper model, through a child llmRequest with `summarize_context`. */
export interface SummaryOptions {
  /** Task type the summary requests are routed by; default `summarization` (the default route when the table has none). */
  taskType?: string;
  /** Model for summaries; without it the routing table picks one for `taskType`. */
  model?: string;
  fallbackModels?: string[];
  /** Longest summary, in tokens (the summary request's max output); default 400. */
  maxOutputTokens?: number;
  templateVersion?: string;
}

/** What a client chooses when it starts a conversation; fixed for the conversation's life. */
export interface ConversationOptions {
  /** Task type every turn is routed by; default `conversation` (the routing table's default route unless it names one). */
  taskType?: string;
  /** Preferred model for the turns; routing still applies its fallbacks. */
  model?: string;
  fallbackModels?: string[];
  /** Prompt template of a turn; default `conversation`. */
  templateId?: string;
  templateVersion?: string;
  /** Extra system instructions for every turn (a persona, a house style). */
  instructions?: string;
  params?: GenerationParams;
  caller?: string;
  summary?: SummaryOptions;
  /**
   * Share of the model's input budget (window less the reserved answer) a turn's prompt may fill;
   * the rest is headroom for providers that count tokens differently from our tokenizer. Default 0.9.
   */
  windowShare?: number;
  /** Most turns kept verbatim; older ones are folded into the summary. Default 30, at least 2. */
  maxRecentTurns?: number;
  /** Turns per workflow run before it continues-as-new (it also does when Temporal suggests it). Default 50. */
  maxTurnsPerRun?: number;
  /** End the conversation after this long without a message; by default it waits for ever. */
  idleTimeoutSeconds?: number;
  /** Deadline of each turn's request (every retry and fallback), in seconds. */
  turnDeadlineSeconds?: number;
}

/** One exchange kept verbatim. `n` counts from 1 over the conversation's whole life. */
export interface ConversationTurn {
  n: number;
  user: string;
  assistant: string;
  model: string;
  usage: TokenUsage;
  costUsd: number;
  /** ISO 8601 time the answer arrived. */
  at: string;
}

/** Everything the conversation remembers; carried whole into the next run on continue-as-new. */
export interface ConversationState {
  /** Running summary of turns 1..summarizedTurns ('' before the first fold). */
  summary: string;
  /** Turns folded out of the verbatim window (all but `droppedTurns` of them are in the summary). */
  summarizedTurns: number;
  /** Folded turns the summariser failed on: pruned without a summary. */
  droppedTurns: number;
  /** The turns after `summarizedTurns`, verbatim, oldest first. */
  turns: ConversationTurn[];
  totalTurns: number;
  /** Summary requests made so far (numbers their child workflow ids). */
  summaries: number;
  /** This run's number: 1, then +1 on every continue-as-new. */
  run: number;
  /** Tokens and cost of every turn and summary so far. */
  usage: TokenUsage;
  costUsd: number;
}

export interface ConversationInput extends ConversationOptions {
  /** Set by continue-as-new; absent when a client starts the conversation. */
  state?: ConversationState;
}

export interface SendMessageInput {
  text: string;
}

/** A turn's answer, as the `sendMessage` update returns it. */
export interface TurnReply {
  turn: number;
  reply: string;
  model: string;
  /** The turn's child llmRequest: its history holds the prompt, every retry and fallback. */
  requestId: string;
  usage: TokenUsage;
  costUsd: number;
  /** Turns folded into the summary before this turn (0 when everything still fitted). */
  foldedTurns: number;
}

/** What the `transcript` query returns: everything the conversation keeps. */
export interface ConversationTranscript {
  conversationId: string;
  totalTurns: number;
  summary: string;
  summarizedTurns: number;
  droppedTurns: number;
  /**
   * The turns kept verbatim. Older turns are in the summary; word for word they live in the
   * histories of their turn children (`<conversation id>/turn-<n>`) and of earlier runs.
   */
  turns: ConversationTurn[];
  run: number;
  status: 'active' | 'ended';
  usage: TokenUsage;
  costUsd: number;
}

export const CONVERSATION_DEFAULTS = {
  taskType: 'conversation',
  templateId: 'conversation',
  windowShare: 0.9,
  maxRecentTurns: 30,
  maxTurnsPerRun: 50,
  summaryTaskType: 'summarization',
  summaryMaxOutputTokens: 400,
} as const;

/** Why the options cannot work, or undefined; the client checks the same before it starts a conversation. */
export function conversationOptionsProblem(options: ConversationOptions): string | undefined {
  const { windowShare, maxRecentTurns, maxTurnsPerRun, idleTimeoutSeconds } = options;
  if (windowShare !== undefined && !(windowShare > 0 && windowShare <= 1))
    return `windowShare must be in (0, 1], got ${windowShare}`;
  if (maxRecentTurns !== undefined && !(Number.isInteger(maxRecentTurns) && maxRecentTurns >= 2))
    return `maxRecentTurns must be an integer >= 2, got ${maxRecentTurns}`;
  if (maxTurnsPerRun !== undefined && !(Number.isInteger(maxTurnsPerRun) && maxTurnsPerRun >= 1))
    return `maxTurnsPerRun must be an integer >= 1, got ${maxTurnsPerRun}`;
  if (idleTimeoutSeconds !== undefined && !(idleTimeoutSeconds > 0))
    return `idleTimeoutSeconds must be > 0, got ${idleTimeoutSeconds}`;
  return undefined;
}

/** A piece of text as the `summarize_context` template shows it. */
export interface SummaryItem {
  id: string;
  source: string;
  content: string;
}

/** A slice `[from, to)` of `items[index].content`; a chunk is the pieces one summary request reads. */
export interface ChunkPiece {
  index: number;
  from: number;
  to: number;
}

export type SummaryChunk = ChunkPiece[];

/** A turn as the summariser reads it. */
export function turnAsSummaryItem(turn: Pick<ConversationTurn, 'n' | 'user' | 'assistant'>): SummaryItem {
  return {
    id: `turn-${turn.n}`,
    source: 'conversation',
    content: `User: ${turn.user}\nAssistant: ${turn.assistant}`,
  };
}

/** The items of one chunk; a piece that is only part of its item says which part. */
export function chunkItems(items: readonly SummaryItem[], chunk: SummaryChunk): SummaryItem[] {
  return chunk.flatMap((piece) => {
    const item = items[piece.index];
    if (!item) return [];
    const whole = piece.from === 0 && piece.to >= item.content.length;
    return [
      {
        id: whole ? item.id : `${item.id} (characters ${piece.from}-${piece.to})`,
        source: item.source,
        content: item.content.slice(piece.from, piece.to),
      },
    ];
  });
}

/** The variables of a turn's prompt; the fitting activity renders exactly these. */
export function turnVariables(input: {
  message: string;
  summary: string;
  summarizedTurns: number;
  turns: readonly Pick<ConversationTurn, 'user' | 'assistant'>[];
  instructions?: string;
}): Record<string, JsonValue> {
  return {
    message: input.message,
    summary: input.summary,
    summarized_turns: input.summarizedTurns,
    turns: input.turns.map((t) => ({ user: t.user, assistant: t.assistant })),
    ...(input.instructions ? { instructions: input.instructions } : {}),
  };
}

/** Words asked of the summariser: a token is about 0.75 English words; leave room to finish. */
export function summaryWords(maxOutputTokens: number): number {
  return Math.max(20, Math.floor(maxOutputTokens * 0.6));
}

/** The llmRequest that summarises one chunk, extending `previousSummary`. */
export function summaryRequest(input: {
  requestId: string;
  items: readonly SummaryItem[];
  previousSummary: string;
  focus?: string;
  options: SummaryOptions;
  caller?: string;
}): LlmRequest {
  const { options } = input;
  const maxOutputTokens = options.maxOutputTokens ?? CONVERSATION_DEFAULTS.summaryMaxOutputTokens;
  return {
    requestId: input.requestId,
    taskType: options.taskType ?? CONVERSATION_DEFAULTS.summaryTaskType,
    templateId: 'summarize_context',
    ...(options.templateVersion ? { templateVersion: options.templateVersion } : {}),
    variables: {
      items: input.items.map((item) => ({ id: item.id, source: item.source, content: item.content })),
      previous_summary: input.previousSummary,
      max_words: summaryWords(maxOutputTokens),
      ...(input.focus ? { focus: input.focus } : {}),
    },
    outputFormat: 'text',
    params: { maxOutputTokens, temperature: 0 },
    ...(options.model ? { model: options.model } : {}),
    ...(options.fallbackModels?.length ? { fallbackModels: options.fallbackModels } : {}),
    ...(input.caller ? { caller: input.caller } : {}),
  };
}
