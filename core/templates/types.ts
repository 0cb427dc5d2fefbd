// The shapes of prompt templates as the rest of the program sees them. A template file
// (templates/<id>/<version>.yaml) is validated against schema.ts and then becomes a PromptTemplate.
import type { JsonSchema, OutputFormat } from '../../common/request.js';

/** Estimates how many tokens a text costs; injected so rendering does not depend on a tokenizer. */
export type CountTokens = (text: string) => number;

export interface TemplateMetadata {
  description: string;
  useCases?: string[];
  recommendedModels?: string[];
  /** Free-form extras (owner, notes, ...) are kept as written. */
  [key: string]: unknown;
}

/** One arm of an A/B test: replaces the template's messages for the requests hashed into it. */
export interface TemplateVariant {
  name: string;
  /** Relative weight; weights need not add up to 1. A weight of 0 switches the arm off. */
  weight: number;
  systemMessage?: string;
  userMessageTemplate?: string;
}

/** A template file's content, exactly as written. */
export interface TemplateDefinition {
  templateId: string;
  version: string;
  /** Liquid, like the user message: it may use the template's variables. */
  systemMessage: string;
  userMessageTemplate: string;
  requiredVariables: string[];
  /** Variable name -> default value, filled in before rendering. */
  optionalVariables: Record<string, unknown>;
  metadata: TemplateMetadata;
  outputFormat?: OutputFormat;
  /** JSON Schema the answer must satisfy, unless the request brings its own. */
  schema?: JsonSchema;
  variants?: TemplateVariant[];
}

/** A loaded template: its definition and the file it came from. */
export interface PromptTemplate extends TemplateDefinition {
  path: string;
}

/** Something wrong with a template file; the file is not loaded, the others are. */
export interface TemplateProblem {
  path: string;
  /** The field at fault (`requiredVariables[0]`, `variants[1].weight`), when one is. */
  field?: string;
  message: string;
}

export interface TemplateSummary {
  id: string;
  /** Ascending, numerically (1.1 < 1.9 < 1.10). */
  versions: string[];
  latest: string;
  description: string;
}
