// How failures look over HTTP: a JSON body `{ error: { type, message } }` whose type is the failure's
// class name (the same `type` Temporal records), and a status that says whose fault it was.
import { failureType, rootFailure } from '../common/errors.js';

export interface ApiErrorBody {
  type: string;
  message: string;
  details?: unknown;
}

/** An error a route throws on purpose: the status and type are the answer. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = type;
  }
}

export const notFound = (what: string): HttpError => new HttpError(404, 'NotFoundError', `${what} not found`);

const STATUS_BY_TYPE: Record<string, number> = {
  InvalidRequestError: 400,
  UnknownModelError: 400,
  InvalidSchemaError: 400,
  TemplateNotFoundError: 400,
  MissingVariablesError: 400,
  TemplateRenderError: 400,
  BadRequestError: 400,
  ContextLengthExceededError: 400,
  ContentPolicyError: 400,
  // An agent that does not exist or whose file is invalid, a tool call refused: the caller's to fix.
  AgentDefinitionError: 400,
  AuthenticationError: 401,
  NotFoundError: 404,
  ConflictError: 409,
  RequestCancelledError: 409,
  AgentCancelledError: 409,
  BudgetExceededError: 429,
  QuotaExceededError: 429,
  RateLimitError: 429,
  NotImplementedError: 501,
  AllModelsFailedError: 502,
  // A tool failed under `onToolError: fail`: the run could not finish its work.
  AgentToolFailedError: 502,
  MaxRetriesExceededError: 502,
  InvalidResponseError: 502,
  ProviderServerError: 502,
  ProviderOverloadedError: 503,
  // The cluster was never set up (llm-orchestrator setup): the service cannot take requests yet.
  SearchAttributeNotRegisteredError: 503,
  ProviderUnreachableError: 502,
  ProviderTimeoutError: 504,
  TimeoutError: 504,
};

export function statusFor(type: string): number {
  return STATUS_BY_TYPE[type] ?? 500;
}

/** The typed failure inside any error (Temporal wrappers included), as an HTTP error body. */
export function errorBody(error: unknown): ApiErrorBody {
  if (error instanceof HttpError) {
    return {
      type: error.type,
      message: error.message,
      ...(error.details !== undefined ? { details: error.details } : {}),
    };
  }
  const root = rootFailure(error);
  const type = failureType(error) ?? 'InternalError';
  const message = root?.message ?? (error instanceof Error ? error.message : String(error));
  const details = root?.details?.[0];
  return { type, message, ...(details !== undefined ? { details } : {}) };
}

export function errorStatus(error: unknown): number {
  if (error instanceof HttpError) return error.status;
  return statusFor(errorBody(error).type);
}

/** A 400 about one field of a door's body: `param` names it in the wire format's own terms. */
export class FieldError extends HttpError {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(400, 'InvalidRequestError', `${param}: ${message}`);
  }
}
