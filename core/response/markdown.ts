// Markdown answers need little: consistent line endings, no surrounding blank space, and no
// ```markdown fence around the whole answer (models add one when told to "answer in Markdown").
import { normalizeLineEndings, parseFencedBlocks } from './fences.js';

const MARKDOWN_LANGUAGES = new Set(['markdown', 'md']);
const STARTS_WITH_FENCE = /^(`{3,}|~{3,})/;
const ENDS_WITH_FENCE = /\n[ \t]*(`{3,}|~{3,})$/;

export function processMarkdown(text: string): string {
  const normalized = normalizeLineEndings(text).trim();
  if (!STARTS_WITH_FENCE.test(normalized) || !ENDS_WITH_FENCE.test(normalized)) return normalized;
  const blocks = parseFencedBlocks(normalized);
  const only = blocks[0];
  // One closed ```markdown block spanning the whole answer: the fence is packaging. A bare fence is
  // left alone, since a Markdown answer may well be a single code block.
  if (blocks.length === 1 && only?.closed && only.language && MARKDOWN_LANGUAGES.has(only.language)) {
    return only.code.trim();
  }
  return normalized;
}
