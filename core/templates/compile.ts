// Turns one template file into a ready-to-render template, or into the problems that stop it from
// loading. Everything that can be checked without variables is checked here, once, at load:
// YAML, the file's shape, its name on disk, Liquid syntax, undeclared variables, the output schema.
import type { Liquid } from 'liquidjs';
import { parseDocument } from 'yaml';
import { type ParsedTemplate, referencedVariables } from './liquid.js';
import { outputSchemaError } from './output-schema.js';
import { checkTemplateShape } from './schema.js';
import type { PromptTemplate, TemplateDefinition, TemplateProblem, TemplateVariant } from './types.js';

export interface CompiledMessages {
  system: ParsedTemplate;
  user: ParsedTemplate;
}

export interface CompiledVariant {
  name: string;
  weight: number;
  messages: CompiledMessages;
}

export interface CompiledTemplate {
  template: PromptTemplate;
  messages: CompiledMessages;
  variants: CompiledVariant[];
}

export interface TemplateFile {
  path: string;
  /** What the file's place on disk says it holds: templates/<templateId>/<version>.yaml. */
  templateId: string;
  version: string;
  text: string;
}

export type CompileResult =
  | { ok: true; compiled: CompiledTemplate }
  | { ok: false; problems: TemplateProblem[] };

export function compileTemplateFile(file: TemplateFile, liquid: Liquid): CompileResult {
  const problems: TemplateProblem[] = [];
  const report = (message: string, field?: string): void => {
    problems.push(field === undefined ? { path: file.path, message } : { path: file.path, field, message });
  };

  const doc = parseDocument(file.text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const error of doc.errors) report(`invalid YAML: ${error.message}`);
    return { ok: false, problems };
  }
  const data: unknown = doc.toJS();
  const shape = checkTemplateShape(data);
  if (!shape.ok) {
    for (const error of shape.errors)
      report(withHint(error.message, error.field, data, file.version), error.field);
    return { ok: false, problems };
  }
  const definition = shape.value;

  if (definition.templateId !== file.templateId) {
    report(
      `templateId "${definition.templateId}" does not match its folder "${file.templateId}"; the file must be templates/<templateId>/<version>.yaml`,
      'templateId',
    );
  }
  if (definition.version !== file.version) {
    report(
      `version "${definition.version}" does not match its file name "${file.version}"; the file must be templates/<templateId>/<version>.yaml`,
      'version',
    );
  }
  checkDeclarations(definition, report);
  checkVariants(definition.variants ?? [], report);
  checkOutput(definition, report);

  const declared = new Set([...definition.requiredVariables, ...Object.keys(definition.optionalVariables)]);
  const parse = (source: string, field: string): ParsedTemplate | undefined => {
    let parsed: ParsedTemplate;
    try {
      parsed = liquid.parse(source);
    } catch (error) {
      report(`${field} is not valid Liquid: ${errorMessage(error)}`, field);
      return undefined;
    }
    const undeclared = referencedVariables(liquid, parsed).filter((name) => !declared.has(name));
    if (undeclared.length > 0) {
      report(
        `${field} uses undeclared variable(s) ${undeclared.join(', ')}: add them to requiredVariables or optionalVariables`,
        field,
      );
    }
    return parsed;
  };

  const system = parse(definition.systemMessage, 'systemMessage');
  const user = parse(definition.userMessageTemplate, 'userMessageTemplate');
  const variants = (definition.variants ?? []).map((variant, i) => ({
    name: variant.name,
    weight: variant.weight,
    system:
      variant.systemMessage === undefined
        ? system
        : parse(variant.systemMessage, `variants[${i}].systemMessage`),
    user:
      variant.userMessageTemplate === undefined
        ? user
        : parse(variant.userMessageTemplate, `variants[${i}].userMessageTemplate`),
  }));

  if (problems.length > 0 || !system || !user) return { ok: false, problems };
  const compiledVariants: CompiledVariant[] = [];
  for (const v of variants) {
    if (!v.system || !v.user) return { ok: false, problems };
    compiledVariants.push({ name: v.name, weight: v.weight, messages: { system: v.system, user: v.user } });
  }
  const template = deepFreeze({ ...definition, path: file.path });
  return { ok: true, compiled: { template, messages: { system, user }, variants: compiledVariants } };
}

type Report = (message: string, field?: string) => void;

function checkDeclarations(definition: TemplateDefinition, report: Report): void {
  for (const [i, name] of definition.requiredVariables.entries()) {
    if (Object.hasOwn(definition.optionalVariables, name)) {
      report(
        `"${name}" is both required and optional: a required variable has no default, remove it from one list`,
        `requiredVariables[${i}]`,
      );
    }
  }
}

function checkVariants(variants: TemplateVariant[], report: Report): void {
  const seen = new Set<string>();
  for (const [i, variant] of variants.entries()) {
    if (seen.has(variant.name)) report(`variant name "${variant.name}" is used twice`, `variants[${i}].name`);
    seen.add(variant.name);
  }
  if (variants.length > 0 && !variants.some((v) => v.weight > 0)) {
    report('every variant has weight 0: at least one must be positive', 'variants');
  }
}

function checkOutput(definition: TemplateDefinition, report: Report): void {
  if (!definition.schema) return;
  if (definition.outputFormat !== undefined && definition.outputFormat !== 'json') {
    report(`a schema implies JSON output, but outputFormat is "${definition.outputFormat}"`, 'outputFormat');
  }
  const error = outputSchemaError(definition.schema);
  if (error) report(`schema is not a valid JSON Schema: ${error}`, 'schema');
}

/** YAML reads an unquoted 1.10 as the number 1.1, so a numeric version is always a mistake worth explaining. */
function withHint(message: string, field: string | undefined, data: unknown, fileVersion: string): string {
  const version = (data as { version?: unknown } | null)?.version;
  if (field === 'version' && typeof version === 'number') {
    return `${message}: quote it (version: "${fileVersion}"), since YAML reads an unquoted 1.10 as the number 1.1`;
  }
  return message;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
