// Conversations from a service: start one, send messages and read each reply, read the transcript,
// end it. The conversation id is the workflow id; every call follows it across continue-as-new.
import {
  type Client,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  type WorkflowHandle,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import {
  type ConversationOptions,
  type ConversationTranscript,
  conversationOptionsProblem,
  type TurnReply,
} from '../common/conversation.js';
import { InvalidRequestError, rootFailure } from '../common/errors.js';
import type { conversation } from '../workflows/conversation.js';
import {
  ConversationEndedError,
  endConversationUpdate,
  sendMessageUpdate,
  transcriptQuery,
} from '../workflows/conversationDefinitions.js';
import { waitThroughBusyServer } from './busyServer.js';

export type {
  ConversationOptions,
  ConversationTranscript,
  ConversationTurn,
  SummaryOptions,
  TurnReply,
} from '../common/conversation.js';

/** What the conversation calls need of a client: OrchestratorClient has both. */
export interface ConversationClientOptions {
  temporal: Client;
  taskQueue: string;
}

export interface StartConversationOptions extends ConversationOptions {
  /** The workflow id; starting an id that is already running joins that conversation. */
  conversationId: string;
}

export interface SendMessageOptions {
  /** Idempotency key: the same id sent twice to the same run is answered once. */
  messageId?: string;
}

/**
 * Update failures carry the workflow's typed failure (ConversationBusyError, AllModelsFailedError, …)
 * as cause; an update to a conversation whose workflow has closed is a ConversationEndedError.
 */
async function unwrap<T>(conversationId: string, call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError || error instanceof WorkflowFailedError)
      throw rootFailure(error) ?? error;
    if (error instanceof WorkflowNotFoundError && /already completed/.test(error.message))
      throw new ConversationEndedError(`conversation ${conversationId} has ended; start a new one`);
    throw error;
  }
}

export class ConversationHandle {
  constructor(
    readonly conversationId: string,
    readonly workflow: WorkflowHandle<typeof conversation>,
  ) {}

  /**
   * Sends one message and waits for the reply. Refused with ConversationBusyError while the previous
   * message is being answered, ConversationEndedError after `end`, InvalidRequestError when empty.
   */
  sendMessage(text: string, options: SendMessageOptions = {}): Promise<TurnReply> {
    return unwrap(
      this.conversationId,
      this.workflow.executeUpdate(sendMessageUpdate, {
        args: [{ text }],
        ...(options.messageId ? { updateId: options.messageId } : {}),
      }),
    );
  }

  /** The summary, the turns kept verbatim and the counters. */
  transcript(): Promise<ConversationTranscript> {
    return unwrap(this.conversationId, this.workflow.query(transcriptQuery));
  }

  /** Ends the conversation after the turn in flight, if any; returns the final transcript. */
  end(): Promise<ConversationTranscript> {
    return unwrap(this.conversationId, this.workflow.executeUpdate(endConversationUpdate));
  }

  /** Waits until the conversation ends (by `end` or its idle timeout); the final transcript. */
  result(): Promise<ConversationTranscript> {
    return unwrap(
      this.conversationId,
      waitThroughBusyServer(() => this.workflow.result()),
    );
  }
}

export class ConversationClient {
  readonly temporal: Client;
  readonly taskQueue: string;

  constructor(options: ConversationClientOptions) {
    this.temporal = options.temporal;
    this.taskQueue = options.taskQueue;
  }

  /** Starts a conversation, or joins the running one with this id. */
  async start(options: StartConversationOptions): Promise<ConversationHandle> {
    const { conversationId, ...settings } = options;
    if (!conversationId || /\s/.test(conversationId))
      throw new InvalidRequestError(
        `conversationId must be non-empty without spaces, got "${conversationId}"`,
      );
    const problem = conversationOptionsProblem(settings);
    if (problem) throw new InvalidRequestError(problem);
    try {
      await this.temporal.workflow.start<typeof conversation>('conversation', {
        workflowId: conversationId,
        taskQueue: this.taskQueue,
        args: [settings],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
    return this.handle(conversationId);
  }

  /** A handle on the conversation's latest run (so it follows continue-as-new). */
  handle(conversationId: string): ConversationHandle {
    return new ConversationHandle(
      conversationId,
      this.temporal.workflow.getHandle<typeof conversation>(conversationId),
    );
  }

  sendMessage(conversationId: string, text: string, options?: SendMessageOptions): Promise<TurnReply> {
    return this.handle(conversationId).sendMessage(text, options);
  }

  transcript(conversationId: string): Promise<ConversationTranscript> {
    return this.handle(conversationId).transcript();
  }

  end(conversationId: string): Promise<ConversationTranscript> {
    return this.handle(conversationId).end();
  }
}

/** Starts (or joins) a conversation with an OrchestratorClient or any `{ temporal, taskQueue }`. */
export function startConversation(
  client: ConversationClientOptions,
  options: StartConversationOptions,
): Promise<ConversationHandle> {
  return new ConversationClient(client).start(options);
}
