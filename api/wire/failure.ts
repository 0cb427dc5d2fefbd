// What a failure is at a wire door (Chat Completions, Responses, Messages): its status, our typed body
// and, when one field is to blame, that field in the wire format's dotted form (`messages[0].role`),
// so each door can answer in its own API's error shape.
import type { FastifyError } from 'fastify';
import { type ApiErrorBody, errorBody, errorStatus, FieldError, HttpError } from '../errors.js';

export interface DoorFailure {
  status: number;
  body: ApiErrorBody;
  /** The field at fault, e.g. `tools[0].function.parameters`; null when none is. */
  param: string | null;
}

interface ValidationProblem {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
}

/** `/messages/0/content` → `messages[0].content`. */
export function dottedPath(pointer: string): string {
  return pointer
    .split('/')
    .filter(Boolean)
    .map((step) => step.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, step) => (/^\d+$/.test(step) ? `${path}[${step}]` : path ? `${path}.${step}` : step), '');
}

function validationParam(problems: readonly ValidationProblem[]): string | null {
  const first = problems.find((p) => p.keyword !== 'anyOf' && p.keyword !== 'oneOf') ?? problems[0];
  if (!first) return null;
  const path = dottedPath(first.instancePath);
  const missing = first.keyword === 'required' ? String(first.params.missingProperty) : '';
  return [path, missing].filter(Boolean).join('.') || null;
}

export function doorFailure(error: FastifyError): DoorFailure {
  if (error.validation) {
    return {
      status: 400,
      body: { type: 'InvalidRequestError', message: error.message },
      param: validationParam(error.validation as unknown as ValidationProblem[]),
    };
  }
  if (error instanceof FieldError) return { status: 400, body: errorBody(error), param: error.param };
  if (
    !(error instanceof HttpError) &&
    error.statusCode &&
    error.statusCode >= 400 &&
    error.statusCode < 500
  ) {
    // Fastify's own refusals: unparsable JSON, a body too large, an unsupported content type.
    return {
      status: error.statusCode,
      body: { type: 'InvalidRequestError', message: error.message },
      param: null,
    };
  }
  return { status: errorStatus(error), body: errorBody(error), param: null };
}
