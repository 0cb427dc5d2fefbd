// A stored response read back from Temporal, nothing from process memory: the response id is the
// workflow id, the request is the workflow's input (its first history event, decoded with the client's
// data converter, codecs included) and the answer its result. `previous_response_id` continues from it.
import type { Payload } from '@temporalio/common';
import type { OrchestratorClient } from '../../client/client.js';
import type { ChatMessage, LlmRequest, LlmResult } from '../../common/request.js';
import { FieldError, HttpError, notFound } from '../errors.js';
import { answerText } from '../openai/format.js';
import { ownedState, type RequestState } from '../requestView.js';
import { echoOf } from './request.js';

export const RESPONSE_ID_PREFIX = 'resp_';

export interface StoredResponse {
  request: LlmRequest;
  state: RequestState;
  createdAt: number;
}

/** The request behind a response id, if it is this caller's and was made through this door; 404 otherwise. */
export async function storedResponse(
  client: OrchestratorClient,
  responseId: string,
  caller: string,
): Promise<StoredResponse> {
  if (!responseId.startsWith(RESPONSE_ID_PREFIX)) throw notFound(`response ${responseId}`);
  const state = await ownedState(client, responseId, caller);
  // Only the first event is needed: one page of one event, however long the history grew.
  const { history } = await client.temporal.workflowService.getWorkflowExecutionHistory({
    namespace: client.temporal.options.namespace,
    execution: { workflowId: responseId },
    maximumPageSize: 1,
  });
  const first = history?.events?.[0];
  const started = first?.workflowExecutionStartedEventAttributes;
  const request = await decodedInput(client, (started?.input?.payloads ?? []) as Payload[]);
  const seconds = Number(first?.eventTime?.seconds ?? 0);
  return { request, state, createdAt: seconds };
}

/** The workflow's first argument, through the same codecs (encryption, claim check) the client uses. */
async function decodedInput(client: OrchestratorClient, payloads: Payload[]): Promise<LlmRequest> {
  const { payloadCodecs, payloadConverter } = client.temporal.options.loadedDataConverter;
  let decoded = payloads;
  // Codecs encode in order, so they decode in reverse.
  for (const codec of [...payloadCodecs].reverse()) decoded = await codec.decode(decoded);
  const first = decoded[0];
  if (!first) throw new Error('the workflow was started without input');
  return payloadConverter.fromPayload<LlmRequest>(first);
}

/** The assistant turn an answer adds to the conversation: its text and its tool calls. */
export function answerMessage(result: LlmResult): ChatMessage {
  return {
    role: 'assistant',
    content: answerText(result),
    ...(result.toolCalls?.length ? { toolCalls: result.toolCalls } : {}),
  };
}

/**
 * The conversation a new response continues: the previous request's messages without its
 * instructions (OpenAI does not carry instructions over), then its answer. 400 naming the field when
 * the id is unknown, another caller's, or not completed.
 */
export async function earlierConversation(
  client: OrchestratorClient,
  previousId: string,
  caller: string,
): Promise<ChatMessage[]> {
  let stored: StoredResponse;
  try {
    stored = await storedResponse(client, previousId, caller);
  } catch (error) {
    if (error instanceof HttpError && error.status === 404) {
      throw new FieldError('previous_response_id', `no response with id "${previousId}" was found`);
    }
    throw error;
  }
  if (stored.state !== 'completed') {
    throw new FieldError(
      'previous_response_id',
      `response "${previousId}" is ${stored.state}: only a completed response can be continued`,
    );
  }
  const result = await client.result(previousId);
  const messages = stored.request.messages ?? [];
  const own =
    echoOf(stored.request).instructions && messages[0]?.role === 'system' ? messages.slice(1) : messages;
  return [...own, answerMessage(result)];
}
