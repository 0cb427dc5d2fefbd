// The conversation's update and query, defined once for the workflow and the client, and the
// errors its validators answer with.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ConversationTranscript, SendMessageInput, TurnReply } from '../common/conversation.js';
import { OrchestratorError } from '../common/errors.js';

/** One turn: the user's message in, the model's reply out. One turn at a time (see the validator). */
export const sendMessageUpdate = defineUpdate<TurnReply, [SendMessageInput]>('sendMessage');

/** Ends the conversation once the turn in flight (if any) is answered; returns the final transcript. */
export const endConversationUpdate = defineUpdate<ConversationTranscript, []>('endConversation');

/** The summary, the turns kept verbatim and the counters (see ConversationTranscript). */
export const transcriptQuery = defineQuery<ConversationTranscript>('transcript');

/** A message arrived while the previous one was still being answered; send it again after the reply. */
export class ConversationBusyError extends OrchestratorError {
  static readonly type = 'ConversationBusyError';
  constructor(message: string) {
    super(ConversationBusyError.type, message, { retryable: false });
  }
}

/** The conversation has ended; start a new one (a new id, or the same id once this run has closed). */
export class ConversationEndedError extends OrchestratorError {
  static readonly type = 'ConversationEndedError';
  constructor(message: string) {
    super(ConversationEndedError.type, message, { retryable: false });
  }
}
