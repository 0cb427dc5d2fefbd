// The emulator's Batch API state: uploaded files (OpenAI), batches of both providers with their
// lines, and the test controls: how long a batch takes, which lines fail, which models' batches
// expire, and a hold that keeps batches in progress until it is lifted.

/** One line of a batch: its custom_id and the body it would send to the synchronous endpoint. */
export interface BatchLine {
  customId: string;
  body: Record<string, unknown>;
}

/** One line's outcome, in neutral terms; each provider's routes render it in their own format. */
export type LineResult =
  | { customId: string; kind: 'succeeded'; status: number; requestId: string; body: unknown }
  | { customId: string; kind: 'errored'; status: number; requestId: string; body: unknown }
  | { customId: string; kind: 'expired' | 'canceled' };

export type BatchPhase = 'validating' | 'in_progress' | 'finalizing' | 'ended';

export interface StoredBatch {
  id: string;
  provider: 'openai' | 'anthropic';
  model: string;
  lines: BatchLine[];
  phase: BatchPhase;
  /** How it ended: completed, failed (validation), expired, cancelled. */
  ending?: 'completed' | 'failed' | 'expired' | 'cancelled';
  cancelRequested: boolean;
  /** Epoch seconds of each transition, as both APIs report them. */
  times: Partial<Record<'created' | 'in_progress' | 'finalizing' | 'ended' | 'cancel' | 'expires', number>>;
  results: LineResult[];
  /** Headers the lines are sent with (the creator's key), so auth behaves as for direct calls. */
  headers: Record<string, string>;
  /** OpenAI only: the batch's input file and its fields. */
  openai?: { inputFileId: string; endpoint: string; completionWindow: string; metadata: unknown };
  outputFileId?: string;
  errorFileId?: string;
  validationErrors?: { code: string; message: string; line: number | null }[];
}

export interface StoredFile {
  id: string;
  filename: string;
  purpose: string;
  bytes: number;
  createdAt: number;
  content: Buffer;
}

export interface BatchControls {
  /** From creation to the end of a batch, in milliseconds (the real APIs take up to 24 hours). */
  processingMs: number;
  /** A line whose body contains one of these strings is refused (HTTP 400) instead of answered. */
  failLinesContaining: string[];
  /** Batches for these models expire instead of completing (OpenAI `expired`, Anthropic `expired` results). */
  expireModels: string[];
  /** While true, batches whose time is up stay in progress; setting it false ends them (drills). */
  holdBatches: boolean;
}

export const DEFAULT_BATCH_CONTROLS: BatchControls = {
  processingMs: 2000,
  failLinesContaining: [],
  expireModels: [],
  holdBatches: false,
};

export class BatchStore {
  readonly files = new Map<string, StoredFile>();
  readonly batches = new Map<string, StoredBatch>();
  controls: BatchControls = { ...DEFAULT_BATCH_CONTROLS };
  /** The endings of batches held by `holdBatches`, run when it is set false. */
  private held: (() => void)[] = [];

  /** Ends a batch now, or when the hold is lifted. */
  end(ending: () => void): void {
    if (this.controls.holdBatches) this.held.push(ending);
    else ending();
  }

  /** Applies a control update; throws with the reason for a bad one. */
  setControls(update: unknown): BatchControls {
    if (!update || typeof update !== 'object' || Array.isArray(update))
      throw new Error('batch controls must be a JSON object');
    const u = update as Record<string, unknown>;
    const next = { ...this.controls };
    if (u.processingMs !== undefined) {
      if (typeof u.processingMs !== 'number' || u.processingMs < 0)
        throw new Error('processingMs must be a number >= 0');
      next.processingMs = u.processingMs;
    }
    for (const key of ['failLinesContaining', 'expireModels'] as const) {
      const value = u[key];
      if (value === undefined) continue;
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
        throw new Error(`${key} must be an array of strings`);
      next[key] = value;
    }
    if (u.holdBatches !== undefined) {
      if (typeof u.holdBatches !== 'boolean') throw new Error('holdBatches must be true or false');
      next.holdBatches = u.holdBatches;
    }
    this.controls = next;
    if (!next.holdBatches) for (const ending of this.held.splice(0)) ending();
    return next;
  }

  /** Forgets every file and batch and restores the default controls. */
  reset(): void {
    this.files.clear();
    this.batches.clear();
    this.held = [];
    this.controls = { ...DEFAULT_BATCH_CONTROLS };
  }

  /** A summary of every batch, for tests and humans. */
  list(): {
    id: string;
    provider: string;
    model: string;
    phase: BatchPhase;
    ending?: string;
    lines: number;
  }[] {
    return [...this.batches.values()].map((b) => ({
      id: b.id,
      provider: b.provider,
      model: b.model,
      phase: b.phase,
      ...(b.ending ? { ending: b.ending } : {}),
      lines: b.lines.length,
    }));
  }
}
