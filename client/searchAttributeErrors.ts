// A start the server refuses because a search attribute the request sets is not registered in the
// namespace: on a cluster nobody ran `llm-orchestrator setup` on. The server answers INVALID_ARGUMENT
// with a message naming one attribute (server 1.29, SQL visibility: "Namespace default has no mapping
// defined for search attribute LlmTaskType"); the SDK wraps it as "Failed to start Workflow". This
// turns it into an error that says which attribute and which command registers them all.
import { OrchestratorError } from '../common/errors.js';

export const SETUP_COMMAND = 'llm-orchestrator setup';

export class SearchAttributeNotRegisteredError extends OrchestratorError {
  static readonly type = 'SearchAttributeNotRegisteredError';
  constructor(
    readonly attribute: string,
    readonly namespace: string,
    cause?: Error,
  ) {
    super(
      SearchAttributeNotRegisteredError.type,
      `search attribute ${attribute} is not registered in namespace ${namespace}: run \`${SETUP_COMMAND} --namespace ${namespace}\` once against this Temporal cluster (it registers every search attribute the workflows use)`,
      {
        retryable: false,
        details: { attribute, namespace, command: `${SETUP_COMMAND} --namespace ${namespace}` },
        ...(cause ? { cause } : {}),
      },
    );
  }
}

const GRPC_INVALID_ARGUMENT = 3;
/** The server's wordings for an unknown search attribute (SQL visibility; Elasticsearch; older servers). */
const NOT_REGISTERED = [
  /no mapping defined for search attribute (\w+)/i,
  /search attribute (\w+) is not defined/i,
  /search attribute (\w+) is not registered/i,
];

/** The attribute an error from a workflow start says is not registered, if that is what it says. */
export function unregisteredSearchAttribute(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, details, message } = e as { code?: number; details?: string; message?: string };
    if (code !== GRPC_INVALID_ARGUMENT) continue;
    for (const pattern of NOT_REGISTERED) {
      const name = pattern.exec(details ?? message ?? '')?.[1];
      if (name) return name;
    }
  }
  return undefined;
}

/** The typed error for a start refused over an unregistered search attribute; undefined otherwise. */
export function searchAttributeNotRegistered(
  error: unknown,
  namespace: string,
): SearchAttributeNotRegisteredError | undefined {
  const attribute = unregisteredSearchAttribute(error);
  return attribute ? new SearchAttributeNotRegisteredError(attribute, namespace, error as Error) : undefined;
}
