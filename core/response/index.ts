// Response processing: what activities import.
export { type CodeBlock, canonicalLanguage, type ExtractedCode, extractCode } from './code.js';
export { type FencedBlock, parseFencedBlocks } from './fences.js';
export { extractJson } from './json.js';
export { processMarkdown } from './markdown.js';
export {
  effectiveFormat,
  type InvalidResponseDetails,
  type ProcessedFormat,
  type ProcessedResponse,
  type ProcessInput,
  processResponse,
} from './process.js';
export { regexExtract } from './regex.js';
export { repairErrors, repairPrompt } from './repair.js';
export {
  type CompiledSchema,
  type CompileOptions,
  canonicalJson,
  compiledSchemaCount,
  compileSchema,
  type SchemaDialect,
  schemaDialect,
  validateAgainstSchema,
} from './schema.js';
export { formatSchemaErrors, MAX_ERROR_LINES } from './schema-errors.js';
export {
  ANY_TASK,
  CODE_TASK_TYPES,
  containsCode,
  createDefaultValidators,
  nonEmptyAnswer,
  type ResponseValidator,
  ValidatorRegistry,
  type ValidatorResult,
} from './validators.js';
