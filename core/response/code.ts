// Getting code out of a model's answer: every fenced block, and the one the caller asked for.
import { parseFencedBlocks } from './fences.js';

export interface CodeBlock {
  language?: string;
  code: string;
}

export interface ExtractedCode {
  /** The chosen block's code, or the whole (trimmed) answer when it has no fenced block. */
  code: string;
  /** The chosen block's language as the model wrote it. */
  language?: string;
  /** All fenced blocks in order; empty when the answer had none. */
  blocks: CodeBlock[];
}

// Models name languages inconsistently (```ts vs ```typescript); compare canonical names.
const ALIASES: Record<string, string> = {
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  node: 'javascript',
  ts: 'typescript',
  mts: 'typescript',
  py: 'python',
  python3: 'python',
  py3: 'python',
  sh: 'shell',
  bash: 'shell',
  zsh: 'shell',
  console: 'shell',
  shell: 'shell',
  rb: 'ruby',
  rs: 'rust',
  golang: 'go',
  yml: 'yaml',
  'c++': 'cpp',
  cxx: 'cpp',
  cc: 'cpp',
  hpp: 'cpp',
  cs: 'csharp',
  'c#': 'csharp',
  kt: 'kotlin',
  md: 'markdown',
  jsonc: 'json',
  ps1: 'powershell',
  pwsh: 'powershell',
  tf: 'hcl',
  dockerfile: 'docker',
};

export function canonicalLanguage(language: string): string {
  const lower = language.trim().toLowerCase();
  return ALIASES[lower] ?? lower;
}

/**
 * The first block in `language` when one is given and present, else the first block. Without any
 * fenced block the whole answer is taken as code, as the seed did: models asked for code sometimes
 * answer with bare code.
 */
export function extractCode(text: string, language?: string): ExtractedCode {
  const blocks: CodeBlock[] = parseFencedBlocks(text).map(({ language: blockLanguage, code }) =>
    blockLanguage === undefined ? { code } : { language: blockLanguage, code },
  );
  const wanted = language ? canonicalLanguage(language) : undefined;
  const chosen =
    (wanted && blocks.find((block) => block.language && canonicalLanguage(block.language) === wanted)) ||
    blocks[0];
  if (!chosen) return { code: text.trim(), blocks };
  return chosen.language === undefined
    ? { code: chosen.code, blocks }
    : { code: chosen.code, language: chosen.language, blocks };
}
