// Checks what a JSON Schema cannot about a pipeline definition, and orders its steps: names are unique,
// `needs` name real steps, every reference parses and points at a declared input or another step's
// output, and the steps (with the needs their references imply) form no cycle. Pure, so the loader
// reports problems at load and the workflow checks a definition passed inline the same way.
import type { JsonValue } from '../request.js';
import { describePath, type Reference, referencesIn, wholeReference } from './expressions.js';
import { isAgentStep, isApprovalStep, type PipelineDefinition, type StepDefinition } from './types.js';

export interface DefinitionProblem {
  /** Where in the definition, e.g. `steps[1].variables.requirement`. */
  field: string;
  message: string;
}

export interface CompiledStep {
  step: StepDefinition;
  /** Explicit needs plus the steps its references read, in definition order. */
  needs: string[];
}

export interface CompiledPipeline {
  definition: PipelineDefinition;
  /** Every step, each after the steps it needs. */
  order: CompiledStep[];
}

export const STEP_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]*$/;
const ROOTS = ['input', 'steps', 'item', 'index'];

export function compilePipeline(
  definition: PipelineDefinition,
): { ok: true; compiled: CompiledPipeline } | { ok: false; problems: DefinitionProblem[] } {
  const problems: DefinitionProblem[] = [];
  const names = definition.steps.map((s) => s.name);
  const inputs = new Set([
    ...(definition.requiredInputs ?? []),
    ...Object.keys(definition.optionalInputs ?? {}),
  ]);
  const needsOf = new Map<string, Set<string>>();

  for (const [index, step] of definition.steps.entries()) {
    const at = `steps[${index}]`;
    if (!STEP_NAME_PATTERN.test(step.name))
      problems.push({
        field: `${at}.name`,
        message: `step name "${step.name}" must be letters, digits and _`,
      });
    if (names.indexOf(step.name) !== index)
      problems.push({ field: `${at}.name`, message: `step name "${step.name}" is used twice` });
    const needs = new Set<string>();
    for (const need of step.needs ?? []) {
      if (need === step.name)
        problems.push({ field: `${at}.needs`, message: `step "${step.name}" needs itself` });
      else if (!names.includes(need))
        problems.push({
          field: `${at}.needs`,
          message: `needs "${need}", which is not a step (${names.join(', ')})`,
        });
      else needs.add(need);
    }
    for (const { field, references, forEachScope } of referenceSites(step, at, problems)) {
      for (const reference of references) {
        const problem = checkReference(reference, { step, names, inputs, forEachScope });
        if (problem) problems.push({ field, message: `\${${reference.source}}: ${problem}` });
        else if (reference.path[0] === 'steps') needs.add(String(reference.path[1]));
      }
    }
    needsOf.set(step.name, needs);
  }
  if (problems.length > 0) return { ok: false, problems };

  const cycle = findCycle(names, needsOf);
  if (cycle)
    return {
      ok: false,
      problems: [{ field: 'steps', message: `steps form a cycle: ${cycle.join(' needs ')}` }],
    };
  const order = topologicalOrder(names, needsOf).map((name) => {
    const step = definition.steps[names.indexOf(name)] as StepDefinition;
    const needs = names.filter((n) => needsOf.get(name)?.has(n));
    return { step, needs };
  });
  return { ok: true, compiled: { definition, order } };
}

interface ReferenceSite {
  field: string;
  references: Reference[];
  /** `item` and `index` may be used here. */
  forEachScope: boolean;
}

function referenceSites(step: StepDefinition, at: string, problems: DefinitionProblem[]): ReferenceSite[] {
  const sites: ReferenceSite[] = [];
  const collect = (field: string, value: JsonValue, forEachScope: boolean): void => {
    try {
      sites.push({ field, references: referencesIn(value), forEachScope });
    } catch (error) {
      problems.push({ field, message: (error as Error).message });
    }
  };
  const whole = (field: string, text: string): void => {
    try {
      const reference = wholeReference(text);
      if (reference) sites.push({ field, references: [reference], forEachScope: false });
      else
        problems.push({
          field,
          message: `must be exactly one reference, e.g. "\${steps.analyse.output.tasks}"`,
        });
    } catch (error) {
      problems.push({ field, message: (error as Error).message });
    }
  };
  if (isApprovalStep(step)) {
    if (step.approval.message !== undefined) collect(`${at}.approval.message`, step.approval.message, false);
    return sites;
  }
  if (isAgentStep(step)) {
    collect(`${at}.input`, step.input, false);
    return sites;
  }
  for (const [name, value] of Object.entries(step.variables ?? {}))
    collect(`${at}.variables.${name}`, value, step.forEach !== undefined);
  if (step.forEach) {
    whole(`${at}.forEach.items`, step.forEach.items);
    if (step.forEach.order) whole(`${at}.forEach.order.dependencies`, step.forEach.order.dependencies);
  }
  return sites;
}

function checkReference(
  reference: Reference,
  context: { step: StepDefinition; names: string[]; inputs: Set<string>; forEachScope: boolean },
): string | undefined {
  const [root, first, second] = reference.path;
  if (typeof root !== 'string' || !ROOTS.includes(root))
    return `unknown name "${String(root)}": references start with ${ROOTS.join(', ')}`;
  if (root === 'input') {
    if (typeof first !== 'string') return `name an input, e.g. \${input.requirement}`;
    if (!context.inputs.has(first))
      return `input "${first}" is not declared in requiredInputs or optionalInputs (${[...context.inputs].join(', ') || 'none'})`;
  }
  if (root === 'steps') {
    if (typeof first !== 'string' || !context.names.includes(first))
      return `"${String(first)}" is not a step (${context.names.join(', ')})`;
    if (first === context.step.name) return 'a step cannot read its own output';
    if (second !== 'output')
      return `write ${describePath(['steps', first, 'output'])}…: a step's value is its output`;
  }
  if ((root === 'item' || root === 'index') && !context.forEachScope)
    return `"${root}" exists only in the variables of a forEach step`;
  if (root === 'index' && reference.path.length > 1) return '"index" is a number and has no fields';
  return undefined;
}

function findCycle(names: string[], needsOf: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const trail: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...trail.slice(trail.indexOf(name)), name];
    state.set(name, 'visiting');
    trail.push(name);
    for (const need of needsOf.get(name) ?? []) {
      const cycle = visit(need);
      if (cycle) return cycle;
    }
    trail.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of names) {
    const cycle = visit(name);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Definition order, except that a step comes after everything it needs. */
function topologicalOrder(names: string[], needsOf: Map<string, Set<string>>): string[] {
  const placed = new Set<string>();
  const order: string[] = [];
  while (order.length < names.length) {
    const next = names.find((n) => !placed.has(n) && [...(needsOf.get(n) ?? [])].every((m) => placed.has(m)));
    if (next === undefined) break; // unreachable: cycles were reported above
    placed.add(next);
    order.push(next);
  }
  return order;
}

/** Splits `id@version`. */
export function parseTemplateRef(ref: string): { templateId: string; templateVersion?: string } {
  const at = ref.lastIndexOf('@');
  return at <= 0 ? { templateId: ref } : { templateId: ref.slice(0, at), templateVersion: ref.slice(at + 1) };
}
