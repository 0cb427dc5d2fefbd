// The worker's one logger: every line — Temporal's Runtime and core, activity and workflow loggers,
// our own — is one JSON object on stderr. Lines below LOG_LEVEL are dropped before anything is
// formatted. Each line carries requestId, workflowId and model when they are known: activities
// get them from activities/logging/logContext.ts, workflow lines from their workflow's id here.
import type { LogExporterConfig, Logger, LogLevel, LogMetadata } from '@temporalio/worker';
import { LogTimestamp } from '@temporalio/worker';
import { requestOfWorkflow } from '../core/logging/logContext.js';
import { LOG_LEVELS, type LogSettings } from '../core/logging/settings.js';

const SEVERITY: Record<LogLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };

// The activity task token is a credential (it completes the activity) and 200 characters of noise.
const DROPPED_KEYS = new Set(['taskToken']);

export class JsonLogger implements Logger {
  private readonly threshold: number;
  private readonly withStacks: boolean;

  constructor(
    settings: Pick<LogSettings, 'level'>,
    private readonly write: (line: string) => void = (line) => process.stderr.write(line),
  ) {
    this.threshold = LOG_LEVELS.indexOf(settings.level);
    // Stacks are long; the error's type and message say what happened, debug says where.
    this.withStacks = this.threshold <= SEVERITY.DEBUG;
  }

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    if (SEVERITY[level] < this.threshold) return;
    this.write(`${this.format(level, message, meta)}\n`);
  }

  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }

  private format(level: LogLevel, message: string, meta: LogMetadata | undefined): string {
    const fields: Record<string, unknown> = {};
    if (meta) {
      for (const [key, value] of Object.entries(meta)) {
        if (DROPPED_KEYS.has(key) || value === undefined) continue;
        fields[key] = isErrorLike(value) ? this.describeError(value) : value;
      }
    }
    const fromIds = requestOfWorkflow(
      typeof fields.workflowType === 'string' ? fields.workflowType : undefined,
      typeof fields.workflowId === 'string' ? fields.workflowId : undefined,
    );
    const line = {
      time: timeOf(meta),
      level: level.toLowerCase(),
      message,
      // The three an operator filters by, first; then everything else the line carries.
      requestId: fields.requestId ?? fromIds.requestId,
      workflowId: fields.workflowId,
      model: fields.model ?? fromIds.model,
      ...fields,
    };
    try {
      return JSON.stringify(line, jsonSafe);
    } catch (error) {
      return JSON.stringify({ time: line.time, level: line.level, message, logError: String(error) });
    }
  }

  private describeError(error: Error, depth = 0): Record<string, unknown> {
    const { type } = error as { type?: unknown };
    const cause = (error as { cause?: unknown }).cause;
    return {
      type: typeof type === 'string' ? type : error.name,
      message: error.message,
      ...(this.withStacks && error.stack ? { stack: error.stack } : {}),
      ...(isErrorLike(cause) && depth < 3 ? { cause: this.describeError(cause, depth + 1) } : {}),
    };
  }
}

/**
 * Runtime logging for `Runtime.install`: the JSON logger, and the SDK core's own lines (WARN and up;
 * below that it narrates every poll) forwarded to it, so they come out in the same shape.
 */
export function runtimeLogging(
  settings: Pick<LogSettings, 'level'>,
  write?: (line: string) => void,
): { logger: JsonLogger; logging: LogExporterConfig } {
  return {
    logger: new JsonLogger(settings, write),
    logging: { forward: {}, filter: { core: settings.level === 'error' ? 'ERROR' : 'WARN', other: 'ERROR' } },
  };
}

function timeOf(meta: LogMetadata | undefined): string {
  // Workflow and core lines carry the time they were made, which can be a little before they are written.
  const nanos = meta?.[LogTimestamp] as bigint | undefined;
  return (typeof nanos === 'bigint' ? new Date(Number(nanos / 1_000_000n)) : new Date()).toISOString();
}

/** Errors from the workflow sandbox are another realm's Error: `instanceof` does not see them. */
function isErrorLike(value: unknown): value is Error {
  return (
    value instanceof Error ||
    (typeof value === 'object' && value !== null && 'message' in value && 'stack' in value)
  );
}

/**
 * Bigints as text, and bytes never: the SDK's "Creating worker" line (debug) holds the data converter,
 * whose encryption codec keeps its keys as Buffers, which JSON would print byte by byte.
 */
function jsonSafe(this: unknown, key: string, value: unknown): unknown {
  const original = (this as Record<string, unknown>)[key];
  if (original instanceof Uint8Array || original instanceof ArrayBuffer)
    return `[${original.byteLength} bytes]`;
  return typeof value === 'bigint' ? value.toString() : value;
}
