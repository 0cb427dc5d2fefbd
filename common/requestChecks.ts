// What a request must satisfy beyond its schema's shape, each problem naming the field: tool names
// are unique, toolChoice names an offered tool, every tool result answers a call made before it,
// and inline images are what their media type says and not too large. Pure, so the client, the
// HTTP doors and the workflows all refuse the same requests with the same words.
import type { ChatMessage, ImageMediaType, ImagePart, LlmRequest } from './request.js';

/** Anthropic's limit for one image (OpenAI's is 20 MB): the stricter, so every model can take it. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

/** How each media type's data starts, in base64 (the file signature's first bytes). */
const SIGNATURES: Record<ImageMediaType, string> = {
  'image/png': 'iVBORw0KGgo',
  'image/jpeg': '/9j/',
  'image/gif': 'R0lGOD',
  'image/webp': 'UklGR',
};

function decodedBytes(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return Math.floor((base64.length * 3) / 4) - padding;
}

function inlineImage(part: ImagePart): { mediaType: string; data: string } | undefined {
  if ('data' in part.source) return part.source;
  const match = /^data:([^;,]+);base64,(.*)$/s.exec(part.source.url);
  return match?.[1] && match[2] !== undefined ? { mediaType: match[1], data: match[2] } : undefined;
}

function imageProblem(part: ImagePart, where: string): string | undefined {
  if ('url' in part.source && part.source.url.startsWith('data:') && !inlineImage(part)) {
    return `${where}: a data URL must be data:<media type>;base64,<data>`;
  }
  const inline = inlineImage(part);
  if (!inline) return undefined;
  const signature = SIGNATURES[inline.mediaType as ImageMediaType];
  if (!signature) {
    return `${where}: media type ${inline.mediaType} is not one of ${Object.keys(SIGNATURES).join(', ')}`;
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(inline.data) || inline.data.length % 4 !== 0) {
    return `${where}: image data is not valid base64`;
  }
  if (!inline.data.startsWith(signature)) {
    return `${where}: image data is not a ${inline.mediaType} file (its first bytes do not match); send the image's own bytes with its media type`;
  }
  const bytes = decodedBytes(inline.data);
  if (bytes > MAX_IMAGE_BYTES) {
    return `${where}: image is ${(bytes / 1024 / 1024).toFixed(1)} MB; the most is ${MAX_IMAGE_BYTES / 1024 / 1024} MB: scale it down or pass it by URL`;
  }
  return undefined;
}

function messageProblems(messages: readonly ChatMessage[]): string[] {
  const problems: string[] = [];
  const called = new Set<string>();
  const answered = new Set<string>();
  for (const [i, message] of messages.entries()) {
    const where = `messages[${i}]`;
    if (message.toolCalls?.length && message.role !== 'assistant') {
      problems.push(`${where}.toolCalls: only assistant messages carry tool calls`);
    }
    for (const call of message.toolCalls ?? []) called.add(call.id);
    if (message.role === 'tool') {
      if (!message.toolCallId) problems.push(`${where}.toolCallId is required on a tool message`);
      else if (!called.has(message.toolCallId)) {
        problems.push(`${where}.toolCallId "${message.toolCallId}" answers no tool call made before it`);
      } else if (answered.has(message.toolCallId)) {
        problems.push(`${where}.toolCallId "${message.toolCallId}" was already answered`);
      } else answered.add(message.toolCallId);
    } else if (message.toolCallId) {
      problems.push(`${where}.toolCallId: only tool messages answer a tool call`);
    }
    if (typeof message.content !== 'string') {
      for (const [j, part] of message.content.entries()) {
        const problem = part.type === 'image' ? imageProblem(part, `${where}.content[${j}]`) : undefined;
        if (problem) problems.push(problem);
      }
    }
  }
  return problems;
}

/** Every problem of the request's tools, tool conversation and images; empty when there is none. */
export function requestProblems(
  request: Pick<LlmRequest, 'messages' | 'tools' | 'toolChoice' | 'parallelToolCalls'>,
): string[] {
  const problems: string[] = [];
  const tools = request.tools ?? [];
  const names = new Set<string>();
  for (const [i, tool] of tools.entries()) {
    if (names.has(tool.name)) problems.push(`tools[${i}].name "${tool.name}" is used by another tool`);
    names.add(tool.name);
    if (tool.parameters.type !== 'object') {
      problems.push(`tools[${i}].parameters must be a JSON Schema with "type": "object"`);
    }
  }
  const choice = request.toolChoice;
  if (choice !== undefined && choice !== 'none' && choice !== 'auto' && tools.length === 0) {
    problems.push('toolChoice needs tools: none are offered');
  }
  if (typeof choice === 'object' && tools.length > 0 && !names.has(choice.name)) {
    problems.push(
      `toolChoice.name "${choice.name}" is not one of the tools offered (${[...names].join(', ')})`,
    );
  }
  if (request.parallelToolCalls !== undefined && tools.length === 0) {
    problems.push('parallelToolCalls needs tools: none are offered');
  }
  problems.push(...messageProblems(request.messages ?? []));
  return problems;
}
