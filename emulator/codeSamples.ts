interface Language {
  name: string;
  fence: string;
  /** Matched against the prompt; the first language that matches wins. */
  pattern: RegExp;
  sample: (topic: string) => string;
}

const quote = (topic: string): string => JSON.stringify(topic);

const LANGUAGES: readonly Language[] = [
  {
    name: 'TypeScript',
    fence: 'typescript',
    pattern: /\b(typescript|ts)\b/i,
    sample: (t) => `export function emulatedAnswer(): string {\n  return ${quote(t)};\n}\n`,
  },
  {
    name: 'JavaScript',
    fence: 'javascript',
    pattern: /\b(javascript|js|node\.?js)\b/i,
    sample: (t) => `export function emulatedAnswer() {\n  return ${quote(t)};\n}\n`,
  },
  {
    name: 'Go',
    fence: 'go',
    pattern: /\b(golang|Go)\b/,
    sample: (t) => `package main\n\nfunc emulatedAnswer() string {\n\treturn ${quote(t)}\n}\n`,
  },
  {
    name: 'Rust',
    fence: 'rust',
    pattern: /\brust\b/i,
    sample: (t) => `pub fn emulated_answer() -> &'static str {\n    ${quote(t)}\n}\n`,
  },
  {
    name: 'Java',
    fence: 'java',
    pattern: /\bjava\b/i,
    sample: (t) =>
      `public final class Emulated {\n  public static String answer() {\n    return ${quote(t)};\n  }\n}\n`,
  },
  {
    name: 'Bash',
    fence: 'bash',
    pattern: /\b(bash|shell|sh)\b/i,
    sample: (t) => `#!/usr/bin/env bash\nset -euo pipefail\necho ${quote(t)}\n`,
  },
  {
    name: 'SQL',
    fence: 'sql',
    pattern: /\bsql\b/i,
    sample: (t) => `SELECT ${`'${t.replace(/'/g, "''")}'`} AS emulated_answer;\n`,
  },
  {
    name: 'Python',
    fence: 'python',
    pattern: /\bpython\b/i,
    sample: (t) => `def emulated_answer() -> str:\n    return ${quote(t)}\n`,
  },
];

const PYTHON = LANGUAGES[LANGUAGES.length - 1] as Language;

/** Prose, one fenced code block in the language the prompt mentions (Python by default), more prose. */
export function codeReply(prompt: string, topic: string): string {
  const language = LANGUAGES.find((l) => l.pattern.test(prompt)) ?? PYTHON;
  return [
    `Here is a ${language.name} example for your request:`,
    '',
    `\`\`\`${language.fence}`,
    language.sample(topic).trimEnd(),
    '```',
    '',
    'The function returns a fixed string; replace its body with your own logic.',
  ].join('\n');
}
