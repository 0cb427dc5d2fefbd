// Renders a compiled template with a request's variables. Pure: the result depends only on the
// template, the variables and the request id (which picks the A/B variant).

import type { Liquid } from 'liquidjs';
import { MissingVariablesError, TemplateRenderError } from '../../common/errors.js';
import { messageText } from '../../common/messages.js';
import type { RenderedPrompt, RenderPromptInput } from '../../common/prompt.js';
import type { ChatMessage } from '../../common/request.js';
import type { CompiledMessages, CompiledTemplate } from './compile.js';
import type { ParsedTemplate } from './liquid.js';
import type { CountTokens, PromptTemplate } from './types.js';
import { chooseVariant } from './variants.js';

export function renderTemplate(
  compiled: CompiledTemplate,
  input: RenderPromptInput,
  liquid: Liquid,
  countTokens: CountTokens,
): RenderedPrompt {
  const { template } = compiled;
  const label = `${template.templateId}@${template.version}`;
  const given = definedEntries(input.variables ?? {});

  const missing = template.requiredVariables.filter((name) => !Object.hasOwn(given, name));
  if (missing.length > 0) {
    throw new MissingVariablesError(
      `template ${label} is missing required variable(s): ${missing.join(', ')}; pass them in variables`,
      { details: { templateId: template.templateId, version: template.version, missing } },
    );
  }

  const variant = chooseVariant(input.requestId, compiled.variants);
  const messages: CompiledMessages = variant?.messages ?? compiled.messages;
  // Defaults first so that `{% if language %}` on an optional variable works under strict variables.
  const scope = { ...template.optionalVariables, ...given };
  const render = (parsed: ParsedTemplate, field: string): string =>
    renderStrict(liquid, parsed, scope, template, field);

  // Errors name the text at fault: the variant's own text when it overrides the template's.
  const prefix = variant ? `variant ${variant.name} ` : '';
  const rendered: ChatMessage[] = [
    { role: 'system', content: render(messages.system, `${prefix}systemMessage`) },
    { role: 'user', content: render(messages.user, `${prefix}userMessageTemplate`) },
  ];

  return {
    templateId: template.templateId,
    version: template.version,
    ...(variant ? { variant: variant.name } : {}),
    messages: rendered,
    tokenCounts: rendered.map((m) => countTokens(messageText(m))),
    ...(template.outputFormat ? { outputFormat: template.outputFormat } : {}),
    // A copy: the caller may hand it to a validator or change it; the registry's stays as loaded.
    ...(template.schema ? { schema: structuredClone(template.schema) } : {}),
  };
}

function renderStrict(
  liquid: Liquid,
  parsed: ParsedTemplate,
  scope: Record<string, unknown>,
  template: PromptTemplate,
  field: string,
): string {
  try {
    // A fresh copy per message: tags like `{% increment %}` write into the scope they are given.
    return String(liquid.renderSync(parsed, { ...scope }));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const variable = /undefined variable: ([^,\s]+)/.exec(message)?.[1];
    const what = variable ? `uses undefined variable "${variable}"` : `failed to render: ${message}`;
    throw new TemplateRenderError(`template ${template.templateId}@${template.version} ${field} ${what}`, {
      details: {
        templateId: template.templateId,
        version: template.version,
        field,
        ...(variable ? { variable } : {}),
        reason: message,
      },
    });
  }
}

/** Variables whose value is undefined count as not given (JSON cannot carry undefined anyway). */
function definedEntries(variables: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(variables).filter(([, value]) => value !== undefined));
}
