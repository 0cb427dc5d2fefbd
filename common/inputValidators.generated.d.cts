// Types of common/inputValidators.generated.cjs (written by scripts/generateInputValidators.ts).
import type { WorkflowTypeName } from './workflowInputSchemas.js';

/** What ajv reports for each problem; `instancePath` is the JSON pointer of the field. */
export interface ValidationProblem {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

export interface CompiledValidator {
  (data: unknown): boolean;
  errors?: ValidationProblem[] | null;
}

declare const validators: Record<WorkflowTypeName, CompiledValidator>;
export = validators;
