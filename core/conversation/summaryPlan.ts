// planSummary: splits material to be summarised into chunks that each fit one summary request, so a
// running summary can be built chunk by chunk (each request extends the previous chunk's summary).
// Token counts come from rendering the real `summarize_context` template with each model's tokenizer;
// the chunks are verified against the whole rendered prompt before they are returned.

import {
  type ChunkPiece,
  CONVERSATION_DEFAULTS,
  chunkItems,
  type SummaryChunk,
  type SummaryItem,
  type SummaryOptions,
  summaryRequest,
} from '../../common/conversation.js';
import { InvalidRequestError } from '../../common/errors.js';
import type { ChatMessage } from '../../common/request.js';
import { type PromptBudget, promptBudgets } from './budget.js';
import type { ConversationDeps } from './deps.js';

export interface PlanSummaryInput {
  /** The id the summary requests render under (templates pick A/B variants by it). */
  requestId: string;
  items: SummaryItem[];
  /** Summary the first chunk extends ('' for none). */
  previousSummary: string;
  focus?: string;
  options: SummaryOptions;
  /** Share of each model's input budget a summary prompt may fill; default 0.9. */
  windowShare?: number;
}

export interface SummaryPlan {
  /** In order; each chunk's request extends the summary of the one before. */
  chunks: SummaryChunk[];
  /** Tokens of the material, counted for the most constrained model. */
  materialTokens: number;
  /** Prompt limit of the most constrained model, and its id. */
  limitTokens: number;
  model: string;
}

/** Below this much room for material a summary request is pointless. */
const MIN_ROOM_TOKENS = 32;
/** Added to each piece's count: separators between items, and pieces that merge across boundaries. */
const PIECE_SLACK_TOKENS = 2;

interface Measured {
  piece: ChunkPiece;
  /** Tokens per budget, same order as the budgets. */
  tokens: number[];
}

export function createPlanSummary(deps: ConversationDeps): (input: PlanSummaryInput) => Promise<SummaryPlan> {
  return async (input) => planSummaryChunks(deps, input);
}

export function planSummaryChunks(deps: ConversationDeps, input: PlanSummaryInput): SummaryPlan {
  const options = input.options;
  const maxOutputTokens = options.maxOutputTokens ?? CONVERSATION_DEFAULTS.summaryMaxOutputTokens;
  const budgets = promptBudgets(deps, {
    taskType: options.taskType ?? CONVERSATION_DEFAULTS.summaryTaskType,
    maxOutputTokens,
    windowShare: input.windowShare ?? CONVERSATION_DEFAULTS.windowShare,
    ...(options.model ? { model: options.model } : {}),
    ...(options.fallbackModels ? { fallbackModels: options.fallbackModels } : {}),
  });
  const render = (items: SummaryItem[], previousSummary: string): ChatMessage[] =>
    deps.templates.render({
      requestId: input.requestId,
      templateId: 'summarize_context',
      variables: summaryRequest({
        requestId: input.requestId,
        items,
        previousSummary,
        options,
        ...(input.focus ? { focus: input.focus } : {}),
      }).variables,
      ...(options.templateVersion ? { templateVersion: options.templateVersion } : {}),
    }).messages;
  const count = (budget: PromptBudget, messages: ChatMessage[]): number =>
    budget.counter.countMessages(messages);

  const empty = render([], '');
  const base = budgets.map((b) => count(b, empty));
  const headerOnly = render([], 'x');
  // A later chunk extends a summary of up to maxOutputTokens; the first extends the given one.
  const laterReserve = budgets.map((b, i) => count(b, headerOnly) - (base[i] ?? 0) + maxOutputTokens);
  const withPrevious = input.previousSummary ? render([], input.previousSummary) : empty;
  const firstReserve = budgets.map((b, i) => count(b, withPrevious) - (base[i] ?? 0));
  const roomFirst = budgets.map((b, i) => b.limit - (base[i] ?? 0) - (firstReserve[i] ?? 0));
  const roomLater = budgets.map((b, i) => b.limit - (base[i] ?? 0) - (laterReserve[i] ?? 0));
  budgets.forEach((b, i) => {
    const room = Math.min(roomFirst[i] ?? 0, roomLater[i] ?? 0);
    if (room < MIN_ROOM_TOKENS) {
      throw new InvalidRequestError(
        `summary model ${b.model.id} leaves ${room} prompt tokens for material (limit ${b.limit}, ` +
          `summary up to ${maxOutputTokens}); pick a model with a larger window or lower summary.maxOutputTokens`,
        { details: { model: b.model.id, limitTokens: b.limit } },
      );
    }
  });

  const measure = (piece: ChunkPiece): Measured => {
    const messages = render(chunkItems(input.items, [piece]), '');
    return { piece, tokens: budgets.map((b, i) => count(b, messages) - (base[i] ?? 0) + PIECE_SLACK_TOKENS) };
  };
  const pieceRoom = budgets.map((_, i) => Math.min(roomFirst[i] ?? 0, roomLater[i] ?? 0));
  const pieces = input.items.flatMap((item, index) =>
    splitToFit(measure({ index, from: 0, to: item.content.length }), input.items, pieceRoom, measure),
  );

  // Greedy, in order: a chunk closes when the next piece would overflow it for any model.
  const chunks: Measured[][] = [];
  let current: Measured[] = [];
  let used = budgets.map(() => 0);
  for (const measured of pieces) {
    const room = chunks.length === 0 ? roomFirst : roomLater;
    const overflows = measured.tokens.some((t, i) => (used[i] ?? 0) + t > (room[i] ?? 0));
    if (current.length > 0 && overflows) {
      chunks.push(current);
      current = [];
      used = budgets.map(() => 0);
    }
    current.push(measured);
    used = used.map((u, i) => u + (measured.tokens[i] ?? 0));
  }
  if (current.length > 0) chunks.push(current);

  // Check each chunk's whole prompt exactly; halve any chunk the per-piece estimate let through too
  // full. A later chunk's previous summary is unknown yet: a one-token stand-in plus its maximum.
  const verified: SummaryChunk[] = [];
  const verify = (chunk: Measured[], first: boolean): void => {
    const items = chunkItems(
      input.items,
      chunk.map((m) => m.piece),
    );
    const messages = render(items, first ? input.previousSummary : 'x');
    const extra = first ? 0 : maxOutputTokens;
    const over = budgets.some((b) => count(b, messages) + extra > b.limit);
    if (over && chunk.length > 1) {
      const half = Math.ceil(chunk.length / 2);
      verify(chunk.slice(0, half), first);
      verify(chunk.slice(half), false);
      return;
    }
    verified.push(chunk.map((m) => m.piece));
  };
  chunks.forEach((chunk, k) => {
    verify(chunk, k === 0);
  });

  const tightest = budgets.reduce(
    (best, b, i) => (b.limit < (budgets[best]?.limit ?? Infinity) ? i : best),
    0,
  );
  return {
    chunks: verified,
    materialTokens: pieces.reduce((sum, m) => sum + (m.tokens[tightest] ?? 0), 0),
    limitTokens: budgets[tightest]?.limit ?? 0,
    model: budgets[tightest]?.model.id ?? '',
  };
}

/**
 * A piece too large for any chunk is cut into parts by characters (at a line break or space when
 * one is near), re-measured, and cut again until every part fits.
 */
function splitToFit(
  measured: Measured,
  items: readonly SummaryItem[],
  room: readonly number[],
  measure: (piece: ChunkPiece) => Measured,
): Measured[] {
  const ratio = Math.max(...measured.tokens.map((t, i) => t / Math.max(1, room[i] ?? 1)));
  const { piece } = measured;
  const length = piece.to - piece.from;
  if (ratio <= 1 || length <= 1) return [measured];
  const parts = Math.max(2, Math.ceil(ratio * 1.1));
  const content = items[piece.index]?.content ?? '';
  const cuts: number[] = [piece.from];
  for (let k = 1; k < parts; k++)
    cuts.push(cutPoint(content, piece.from + Math.round((length * k) / parts), cuts.at(-1) ?? piece.from));
  cuts.push(piece.to);
  const result: Measured[] = [];
  for (let k = 0; k + 1 < cuts.length; k++) {
    const from = cuts[k] ?? piece.from;
    const to = cuts[k + 1] ?? piece.to;
    if (to > from)
      result.push(...splitToFit(measure({ index: piece.index, from, to }), items, room, measure));
  }
  return result;
}

/** A cut at or just before `at`: after the last newline or space within 10% back, else at `at`. */
function cutPoint(content: string, at: number, floor: number): number {
  const window = Math.max(1, Math.floor((at - floor) / 10));
  for (const separator of ['\n', ' ']) {
    const found = content.lastIndexOf(separator, at - 1);
    if (found >= at - window && found > floor) return found + 1;
  }
  return Math.max(floor + 1, at);
}
