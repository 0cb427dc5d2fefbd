// Fenced code blocks in a model's answer, found the way a Markdown renderer would (CommonMark fence
// rules, lenient where models are sloppy), so that JSON and code extraction agree on what a block is.

export interface FencedBlock {
  /** First word of the info string, lower-cased (`json`, `python`); absent for a bare fence. */
  language?: string;
  /** The block's content, without the fence lines and without the fence's own indentation. */
  code: string;
  /** False when the answer ended inside the block (typically cut off by the output token limit). */
  closed: boolean;
}

const OPENING = /^([ \t]*)(`{3,}|~{3,})[ \t]*([^\s`]*)[^`]*$/;
const CLOSING = /^[ \t]*(`{3,}|~{3,})[ \t]*$/;

export function normalizeLineEndings(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/** Removes up to `width` leading spaces or tabs, as CommonMark does for an indented fence's content. */
function dedent(line: string, width: number): string {
  let cut = 0;
  while (cut < width && (line[cut] === ' ' || line[cut] === '\t')) cut++;
  return line.slice(cut);
}

/**
 * Every fenced block in order. A block closes at a line holding only a fence of the same character
 * at least as long as the opening one (so a ```` fence may contain ``` lines). Fences inside list
 * items may be indented; an unclosed block runs to the end of the answer.
 */
export function parseFencedBlocks(text: string): FencedBlock[] {
  const lines = normalizeLineEndings(text).split('\n');
  const blocks: FencedBlock[] = [];
  let open: { indent: number; fence: string; language?: string; lines: string[] } | undefined;
  for (const line of lines) {
    if (open) {
      const closing = CLOSING.exec(line);
      const fence = closing?.[1];
      if (fence && fence[0] === open.fence[0] && fence.length >= open.fence.length) {
        blocks.push({ language: open.language, code: open.lines.join('\n'), closed: true });
        open = undefined;
      } else {
        open.lines.push(dedent(line, open.indent));
      }
      continue;
    }
    const opening = OPENING.exec(line);
    if (opening) {
      const [, indent = '', fence = '', info = ''] = opening;
      open = { indent: indent.length, fence, language: info ? info.toLowerCase() : undefined, lines: [] };
    }
  }
  if (open) blocks.push({ language: open.language, code: open.lines.join('\n'), closed: false });
  return blocks;
}
