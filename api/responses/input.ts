// The `input` of a Responses request as our messages: message items (input_text, input_image and
// output_text parts), function_call items (consecutive ones are one assistant turn) and
// function_call_output items, each tool output checked against the calls made before it.
import type { ChatMessage, ContentPart } from '../../common/request.js';
import { FieldError } from '../errors.js';
import { imageFromUrl } from '../wire/images.js';
import { requireFields, ToolCallLedger, wireToolCall } from '../wire/toolCalls.js';

export type InputPart =
  | { type: 'input_text'; text: string }
  | { type: 'output_text'; text: string }
  | { type: 'input_image'; image_url?: string; file_id?: string; detail?: 'low' | 'high' | 'auto' }
  | { type: 'refusal'; refusal: string }
  | { type: string };

export type InputItem =
  | {
      type?: 'message';
      role: 'user' | 'assistant' | 'system' | 'developer';
      content: string | InputPart[];
    }
  | { type: 'function_call'; call_id: string; name: string; arguments: string; id?: string }
  | { type: 'function_call_output'; call_id: string; output: string | InputPart[] };

function partsText(param: string, content: string | InputPart[]): string {
  if (typeof content === 'string') return content;
  return content
    .map((part, p) => {
      if ((part.type === 'input_text' || part.type === 'output_text') && 'text' in part) return part.text;
      if (part.type === 'refusal' && 'refusal' in part) return part.refusal;
      throw new FieldError(`${param}[${p}].type`, `only text parts are accepted here, not "${part.type}"`);
    })
    .join('');
}

function userParts(param: string, content: string | InputPart[]): string | ContentPart[] {
  if (typeof content === 'string') return content;
  return content.map((part, p): ContentPart => {
    if (part.type === 'input_text' && 'text' in part) return { type: 'text', text: part.text };
    if (part.type === 'input_image') {
      const image = part as Extract<InputPart, { type: 'input_image' }>;
      if (!image.image_url) {
        throw new FieldError(
          `${param}[${p}].image_url`,
          'an image must be given by image_url (file ids are not served)',
        );
      }
      return imageFromUrl(`${param}[${p}].image_url`, image.image_url, image.detail);
    }
    throw new FieldError(
      `${param}[${p}].type`,
      `content parts may be input_text or input_image, not "${part.type}"`,
    );
  });
}

/** The input items as our messages, the tool results checked against the calls made before them. */
export function inputMessages(input: string | InputItem[], earlier: readonly ChatMessage[]): ChatMessage[] {
  if (typeof input === 'string') return [{ role: 'user', content: input }];
  const ledger = new ToolCallLedger();
  for (const message of earlier) ledger.made(message.toolCalls ?? []);
  const messages: ChatMessage[] = [];
  input.forEach((item, i) => {
    const param = `input[${i}]`;
    if (item.type === 'function_call') {
      requireFields(param, item, ['call_id', 'name', 'arguments']);
      const call = wireToolCall(`${param}.arguments`, item.call_id, item.name, item.arguments);
      ledger.made([call]);
      const last = messages.at(-1);
      // Calls made in one turn arrive as consecutive items: they belong to one assistant message.
      if (last?.role === 'assistant') last.toolCalls = [...(last.toolCalls ?? []), call];
      else messages.push({ role: 'assistant', content: '', toolCalls: [call] });
      return;
    }
    if (item.type === 'function_call_output') {
      requireFields(param, item, ['call_id', 'output']);
      const toolCallId = ledger.answered(`${param}.call_id`, item.call_id);
      messages.push({ role: 'tool', content: partsText(`${param}.output`, item.output), toolCallId });
      return;
    }
    if (item.type !== undefined && item.type !== 'message') {
      throw new FieldError(
        `${param}.type`,
        `input items may be message, function_call or function_call_output, not "${String(item.type)}"`,
      );
    }
    if (item.role === 'user') {
      messages.push({ role: 'user', content: userParts(`${param}.content`, item.content) });
    } else {
      const role = item.role === 'assistant' ? 'assistant' : 'system';
      messages.push({ role, content: partsText(`${param}.content`, item.content) });
    }
  });
  return messages;
}
