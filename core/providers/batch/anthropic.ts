// Anthropic's Message Batches through the official client: create a batch of {custom_id, params},
// poll its processing_status until `ended`, stream the results JSONL (succeeded / errored / canceled /
// expired per line). Each line's params are the very body an ordinary call would send.
import Anthropic from '@anthropic-ai/sdk';
import type { BatchProgress } from '../../../common/batches.js';
import type { ErrorDetails } from '../../../common/errors.js';
import { anthropicClient, fromMessage, messagesBody, readAnthropicError } from '../anthropic.js';
import { fromSdkError } from '../errors.js';
import type { Endpoint } from '../types.js';
import type { BatchAdapter, BatchLine, BatchLineResult } from './types.js';

type ResultLine = Anthropic.Messages.Batches.MessageBatchIndividualResponse;

function readLine(line: ResultLine, structured: boolean): BatchLineResult {
  const customId = line.custom_id;
  const result = line.result;
  switch (result.type) {
    case 'succeeded':
      return { customId, ok: true, response: fromMessage(result.message, structured) };
    case 'errored': {
      const inner = (result.error as { error?: { type?: string; message?: string } }).error;
      return {
        customId,
        ok: false,
        reason: 'errored',
        errorType: inner?.type ?? 'BatchItemErrored',
        message: inner?.message ?? 'the provider refused this request',
      };
    }
    case 'expired':
      return {
        customId,
        ok: false,
        reason: 'expired',
        errorType: 'BatchItemExpired',
        message: 'the batch expired before this request ran',
      };
    default:
      return {
        customId,
        ok: false,
        reason: 'canceled',
        errorType: 'BatchItemCanceled',
        message: 'the batch was cancelled before this request ran',
      };
  }
}

export class AnthropicBatches implements BatchAdapter {
  private readonly client: Anthropic;

  constructor(private readonly endpoint: Endpoint) {
    this.client = anthropicClient({ ...endpoint, timeoutMs: endpoint.timeoutMs ?? 120_000 });
  }

  // Message batches carry no metadata to find an earlier try's batch by: a worker killed between the
  // create call and the activity's completion leaves that batch behind (README: Batches).
  async submit(lines: BatchLine[]): Promise<string> {
    const requests = lines.map((l) => ({ custom_id: l.customId, params: messagesBody(l.request).body }));
    const batch = await this.call(() => this.client.messages.batches.create({ requests }));
    return batch.id;
  }

  async poll(batchId: string): Promise<BatchProgress> {
    const batch = await this.call(() => this.client.messages.batches.retrieve(batchId));
    const c = batch.request_counts;
    return {
      status: batch.processing_status,
      ended: batch.processing_status === 'ended',
      counts: {
        total: c.processing + c.succeeded + c.errored + c.canceled + c.expired,
        succeeded: c.succeeded,
        failed: c.errored + c.canceled + c.expired,
        processing: c.processing,
      },
    };
  }

  async results(batchId: string, lines: BatchLine[]): Promise<BatchLineResult[]> {
    const structured = new Map(lines.map((l) => [l.customId, messagesBody(l.request).structured]));
    return this.call(async () => {
      const read: BatchLineResult[] = [];
      for await (const line of await this.client.messages.batches.results(batchId))
        read.push(readLine(line, structured.get(line.custom_id) ?? false));
      return read;
    });
  }

  async cancel(batchId: string): Promise<void> {
    await this.call(() => this.client.messages.batches.cancel(batchId));
  }

  private async call<T>(action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      const details: ErrorDetails = { provider: this.endpoint.name };
      throw fromSdkError(error, details, Anthropic, readAnthropicError, this.endpoint.hints);
    }
  }
}
