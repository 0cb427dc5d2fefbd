// The Liquid engine prompt templates are rendered with. Rendering must be pure data substitution:
// templates cannot read files, the clock or the environment, and a variable's value is output as
// text, never parsed as template code.
import { Liquid, type Template } from 'liquidjs';

/** Tags that would pull other files in; prompt templates are self-contained. */
const FILE_TAGS = ['include', 'render', 'layout'] as const;

/** Filters that read the clock (`'now' | date`); a render must depend only on its variables. */
const CLOCK_FILTERS = [
  'date',
  'date_to_xmlschema',
  'date_to_rfc822',
  'date_to_string',
  'date_to_long_string',
];

export type ParsedTemplate = Template[];

export function createLiquid(): Liquid {
  const liquid = new Liquid({
    strictVariables: true,
    strictFilters: true,
    // Jinja semantics, which the seed's templates were written for: '' and 0 are false in `{% if %}`.
    jsTruthy: true,
    // `{{ text.constructor }}` must not reach JavaScript prototypes.
    ownPropertyOnly: true,
    // An empty in-memory file set: nothing on disk is reachable even if a file tag slipped through.
    templates: {},
    outputEscape: undefined,
    renderLimit: 1000,
    parseLimit: 1_000_000,
  });
  for (const name of FILE_TAGS) {
    liquid.registerTag(name, {
      parse(): void {
        throw new Error(`{% ${name} %} is not allowed: prompt templates are self-contained`);
      },
      render(): string {
        return '';
      },
    });
  }
  for (const name of CLOCK_FILTERS) liquid.unregisterFilter(name);
  return liquid;
}

/** Names of the variables a template reads from its input (loop and assigned names excluded). */
export function referencedVariables(liquid: Liquid, parsed: ParsedTemplate): string[] {
  return liquid.globalVariablesSync(parsed);
}
