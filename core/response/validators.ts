// Checks on the raw answer per task type, run before any format processing (as in the seed's
// ResponseHandler). A failed check is an invalid answer: its issues go back to the model in the
// repair prompt, so they are phrased as instructions the model can follow.
import { parseFencedBlocks } from './fences.js';

export interface ResponseValidator {
  /** Shown in error details, so an operator sees which check failed. */
  readonly name: string;
  /** Issues found; an empty list means the answer passes. */
  validate(text: string): string[];
}

export interface ValidatorResult {
  valid: boolean;
  issues: string[];
}

/** Validators registered under this key run for every task type. */
export const ANY_TASK = '*';

export class ValidatorRegistry {
  private readonly validators = new Map<string, ResponseValidator[]>();

  /** Adds a validator for `taskType` (or ANY_TASK); several per task type run in order. */
  register(taskType: string, validator: ResponseValidator): this {
    const list = this.validators.get(taskType) ?? [];
    list.push(validator);
    this.validators.set(taskType, list);
    return this;
  }

  /** The validators that apply to `taskType`: the ANY_TASK ones first. */
  validatorsFor(taskType: string): ResponseValidator[] {
    const general = this.validators.get(ANY_TASK) ?? [];
    return taskType === ANY_TASK ? [...general] : [...general, ...(this.validators.get(taskType) ?? [])];
  }

  validate(taskType: string, text: string): ValidatorResult {
    const issues = this.validatorsFor(taskType).flatMap((validator) => validator.validate(text));
    return { valid: issues.length === 0, issues };
  }
}

/** Refuses an empty or whitespace-only answer, whatever the task. */
export const nonEmptyAnswer: ResponseValidator = {
  name: 'non-empty',
  validate: (text) => (text.trim() === '' ? ['The answer is empty; answer the request.'] : []),
};

// A line that reads like code in a common language: statement punctuation or a declaration keyword.
const CODE_LINE =
  /^\s*(?:(?:def|class|function|const|let|var|import|from|export|return|public|private|protected|fn|func|package|struct|interface|enum|using|namespace|#include)\b|.*[;{}]\s*$|.*\)\s*(?::|=>|->)|\S+\s*=\s*\S)/m;

/**
 * A code-generation answer must contain code: a fenced block with content, or at least lines that
 * read like code. Catches refusals and prose-only answers before they reach the caller.
 */
export const containsCode: ResponseValidator = {
  name: 'contains-code',
  validate(text) {
    if (parseFencedBlocks(text).some((block) => block.code.trim() !== '')) return [];
    if (CODE_LINE.test(text)) return [];
    return ['The answer contains no code; put the code in a fenced block (```language ... ```).'];
  },
};

/** Task types whose answers must contain code. */
export const CODE_TASK_TYPES: readonly string[] = ['code_generation'];

/** A registry with the built-in checks: non-empty for every task, contains-code for code tasks. */
export function createDefaultValidators(): ValidatorRegistry {
  const registry = new ValidatorRegistry().register(ANY_TASK, nonEmptyAnswer);
  for (const taskType of CODE_TASK_TYPES) registry.register(taskType, containsCode);
  return registry;
}
