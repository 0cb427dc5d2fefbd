// Built-in TypeScript tools every worker registers: small, safe and useful to a shipped agent.
import type { JsonValue } from '../../common/request.js';
import type { AgentTool } from './types.js';

/** Arithmetic on numbers with + - * / % ^ and parentheses: parsed, never evaluated as code. */
export function calculate(expression: string): number {
  const tokens = expression.match(/\d+(?:\.\d+)?(?:e[+-]?\d+)?|[-+*/%^()]|\S/gi) ?? [];
  let at = 0;
  const peek = (): string | undefined => tokens[at];
  const take = (): string | undefined => tokens[at++];
  const primary = (): number => {
    const token = take();
    if (token === '(') {
      const value = sum();
      if (take() !== ')') throw new Error('a "(" is not closed');
      return value;
    }
    if (token === '-') return -primary();
    if (token === '+') return primary();
    const value = Number(token);
    if (token === undefined || Number.isNaN(value)) throw new Error(`unexpected "${token ?? 'end'}"`);
    return value;
  };
  const power = (): number => {
    const base = primary();
    if (peek() !== '^') return base;
    take();
    return base ** power();
  };
  const product = (): number => {
    let value = power();
    while (peek() === '*' || peek() === '/' || peek() === '%') {
      const op = take();
      const right = power();
      value = op === '*' ? value * right : op === '/' ? value / right : value % right;
    }
    return value;
  };
  const sum = (): number => {
    let value = product();
    while (peek() === '+' || peek() === '-') value = take() === '+' ? value + product() : value - product();
    return value;
  };
  const value = sum();
  if (at < tokens.length) throw new Error(`unexpected "${tokens[at]}"`);
  if (!Number.isFinite(value)) throw new Error('the result is not a finite number');
  return value;
}

export const calculatorTool: AgentTool = {
  name: 'calculator',
  description: 'Evaluates an arithmetic expression (+ - * / % ^ and parentheses) and returns the number.',
  inputSchema: {
    type: 'object',
    properties: { expression: { type: 'string', description: 'for example "(17 + 4) * 2"' } },
    required: ['expression'],
    additionalProperties: false,
  },
  run: async (input) => ({ result: calculate(String((input as { expression: string }).expression)) }),
};

export const currentTimeTool: AgentTool = {
  name: 'current_time',
  description: 'The current date and time in UTC (ISO 8601).',
  inputSchema: { type: 'object', properties: {}, additionalProperties: false },
  run: async () => ({ utc: new Date().toISOString() }),
};

export const wordCountTool: AgentTool = {
  name: 'word_count',
  description: 'Counts the words, lines and characters of a text.',
  inputSchema: {
    type: 'object',
    properties: { text: { type: 'string' } },
    required: ['text'],
    additionalProperties: false,
  },
  run: async (input): Promise<JsonValue> => {
    const text = String((input as { text: string }).text);
    return {
      words: text.split(/\s+/).filter(Boolean).length,
      lines: text === '' ? 0 : text.split('\n').length,
      characters: text.length,
    };
  },
};

export const BUILTIN_TOOLS: readonly AgentTool[] = [calculatorTool, currentTimeTool, wordCountTool];
