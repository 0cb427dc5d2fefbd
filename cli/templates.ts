// `templates` subcommands: list, show, render and check prompt templates without calling a model.
// Runnable on its own (`node --import tsx cli/templates.ts list`) until it is mounted into
// the main CLI.

import { readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import { messageText } from '../common/messages.js';
import type { JsonValue } from '../common/request.js';
import { TOKENIZERS, type Tokenizer, tokenCounter } from '../core/context/tokens.js';
import {
  type CountTokens,
  loadTemplateRegistry,
  type PromptTemplate,
  type TemplateProblem,
  type TemplateRegistry,
} from '../core/templates/index.js';
import { templatesDir } from '../workers/config.js';
import { parseTemplateRef, parseVar } from './vars.js';

export interface TemplatesCommandOptions {
  /** Token counter for `render`; defaults to the `--tokenizer` the worker uses (o200k_base). */
  countTokens?: CountTokens;
  /** Where output goes (tests capture it); defaults to the process's streams. */
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
}

export function templatesCommand(options: TemplatesCommandOptions = {}): Command {
  const out = options.stdout ?? ((text: string) => process.stdout.write(text));
  const err = options.stderr ?? ((text: string) => process.stderr.write(text));
  const println = (text = ''): void => out(`${text}\n`);
  // The same folder the worker loads: --dir, else $TEMPLATES_DIR, else the project's templates/.
  const load = (dir: string | undefined, countTokens?: CountTokens): Promise<TemplateRegistry> =>
    loadTemplateRegistry(resolve(dir ?? templatesDir()), countTokens ? { countTokens } : {});

  /** Runs a subcommand; a failure becomes a message and a non-zero exit code, not a stack trace. */
  const run =
    <A extends unknown[]>(action: (...args: A) => Promise<boolean | undefined>) =>
    async (...args: A): Promise<void> => {
      try {
        if ((await action(...args)) === false) process.exitCode = 1;
      } catch (error) {
        err(`error: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 1;
      }
    };

  const warnProblems = (registry: TemplateRegistry): void => {
    if (registry.problems.length === 0) return;
    const files = new Set(registry.problems.map((p) => p.path)).size;
    err(`warning: ${files} template file(s) failed to load; run \`templates check\` for details\n`);
  };

  const command = new Command('templates').description('Inspect, render and check prompt templates');
  const dirOption = (sub: Command): Command =>
    sub.option('--dir <path>', 'templates folder (default: $TEMPLATES_DIR or the project templates/ folder)');

  dirOption(command.command('list').description('List templates with their versions'))
    .option('--json', 'print JSON')
    .action(
      run(async (opts: { dir?: string; json?: boolean }) => {
        const registry = await load(opts.dir);
        const summaries = registry.list();
        if (opts.json) {
          println(JSON.stringify(summaries, null, 2));
        } else {
          const width = Math.max(2, ...summaries.map((s) => s.id.length));
          const versionsWidth = Math.max(8, ...summaries.map((s) => s.versions.join(', ').length));
          println(`${'ID'.padEnd(width)}  ${'VERSIONS'.padEnd(versionsWidth)}  DESCRIPTION`);
          for (const s of summaries) {
            println(
              `${s.id.padEnd(width)}  ${s.versions.join(', ').padEnd(versionsWidth)}  ${s.description}`,
            );
          }
        }
        warnProblems(registry);
        return true;
      }),
    );

  dirOption(command.command('show').argument('<template>', 'template id, optionally @version'))
    .description('Show a template: variables, defaults, variants, messages')
    .option('--json', 'print JSON')
    .action(
      run(async (ref: string, opts: { dir?: string; json?: boolean }) => {
        const registry = await load(opts.dir);
        const { templateId, templateVersion } = parseTemplateRef(ref);
        const template = registry.get(templateId, templateVersion);
        const versions = registry.list().find((s) => s.id === templateId)?.versions ?? [template.version];
        if (opts.json) println(JSON.stringify({ ...template, versions }, null, 2));
        else println(describeTemplate(template, versions, displayPath(template.path)));
        return true;
      }),
    );

  dirOption(command.command('render').argument('<template>', 'template id, optionally @version'))
    .description('Render a template and print the exact messages and their token counts (no model is called)')
    .option(
      '--var <name=value>',
      'a variable; the value is parsed as JSON when it is valid JSON (repeatable)',
      collectVar,
    )
    .addOption(
      new Option('--tokenizer <name>', 'tokenizer for the token counts')
        .choices(TOKENIZERS)
        .default('o200k_base'),
    )
    .option('--vars-file <file>', 'a JSON object of variables (--var wins over it)')
    .option('--request-id <id>', 'request id; it picks the A/B variant', 'templates-cli')
    .option('--json', 'print the RenderedPrompt as JSON')
    .action(
      run(
        async (
          ref: string,
          opts: {
            dir?: string;
            var?: Record<string, JsonValue>;
            varsFile?: string;
            requestId: string;
            tokenizer: Tokenizer;
            json?: boolean;
          },
        ) => {
          const counter = options.countTokens ?? ((text: string) => tokenCounter(opts.tokenizer).count(text));
          const registry = await load(opts.dir, counter);
          const variables = { ...(opts.varsFile ? readVarsFile(opts.varsFile) : {}), ...opts.var };
          const rendered = registry.render({
            requestId: opts.requestId,
            ...parseTemplateRef(ref),
            variables,
          });
          if (opts.json) {
            println(JSON.stringify(rendered, null, 2));
            return true;
          }
          const facts = [`${rendered.templateId}@${rendered.version}`];
          if (rendered.variant) facts.push(`variant: ${rendered.variant}`);
          if (rendered.outputFormat) facts.push(`output: ${rendered.outputFormat}`);
          if (rendered.schema) facts.push('schema: yes');
          println(facts.join('  '));
          rendered.messages.forEach((message, i) => {
            println();
            println(`--- ${message.role} (${rendered.tokenCounts[i] ?? 0} tokens) ---`);
            println(messageText(message));
          });
          println();
          println(`total: ${rendered.tokenCounts.reduce((a, b) => a + b, 0)} tokens`);
          return true;
        },
      ),
    );

  dirOption(command.command('check'))
    .description('Validate every template file; exits non-zero when any file has a problem')
    .action(
      run(async (opts: { dir?: string }) => {
        const registry = await load(opts.dir);
        for (const problem of registry.problems) err(`${formatProblem(problem)}\n`);
        const loaded = registry.list().reduce((n, s) => n + s.versions.length, 0);
        const badFiles = new Set(registry.problems.map((p) => p.path)).size;
        const where = displayPath(registry.dir);
        if (badFiles > 0) {
          println(`${where}: ${loaded} template file(s) OK, ${badFiles} with problems`);
          return false;
        }
        println(`${where}: ${loaded} template file(s) OK`);
        return true;
      }),
    );

  return command;
}

/** `--var name=value`, with the main CLI's parsing (JSON when it is JSON, else text). */
function collectVar(pair: string, previous: Record<string, JsonValue> = {}): Record<string, JsonValue> {
  try {
    return parseVar(pair, previous);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function readVarsFile(file: string): Record<string, unknown> {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(
      `cannot read --vars-file ${file}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new Error(`--vars-file ${file} must hold a JSON object of variables`);
  }
  return data as Record<string, unknown>;
}

function describeTemplate(t: PromptTemplate, versions: string[], path: string): string {
  const lines = [
    `${t.templateId}@${t.version}  (versions: ${versions.join(', ')})`,
    `file: ${path}`,
    `description: ${t.metadata.description}`,
  ];
  if (t.metadata.useCases?.length) lines.push(`use cases: ${t.metadata.useCases.join(', ')}`);
  if (t.metadata.recommendedModels?.length)
    lines.push(`recommended models: ${t.metadata.recommendedModels.join(', ')}`);
  if (t.outputFormat) lines.push(`output format: ${t.outputFormat}`);
  lines.push(`required variables: ${t.requiredVariables.join(', ') || '(none)'}`);
  const optional = Object.entries(t.optionalVariables);
  lines.push(`optional variables:${optional.length ? '' : ' (none)'}`);
  for (const [name, value] of optional) lines.push(`  ${name} = ${JSON.stringify(value)}`);
  if (t.variants?.length) {
    const total = t.variants.reduce((sum, v) => sum + v.weight, 0);
    lines.push('variants:');
    for (const v of t.variants) {
      const overrides = [
        v.systemMessage && 'systemMessage',
        v.userMessageTemplate && 'userMessageTemplate',
      ].filter(Boolean);
      const share = total > 0 ? ((100 * v.weight) / total).toFixed(1) : '0';
      lines.push(
        `  ${v.name}: weight ${v.weight} (${share}%), overrides ${overrides.join(', ') || 'nothing'}`,
      );
    }
  }
  if (t.schema) lines.push('output schema:', JSON.stringify(t.schema, null, 2));
  lines.push(
    '',
    '--- system message ---',
    t.systemMessage,
    '',
    '--- user message template ---',
    t.userMessageTemplate,
  );
  return lines.join('\n');
}

function formatProblem(problem: TemplateProblem): string {
  return `${displayPath(problem.path)}${problem.field ? ` [${problem.field}]` : ''}: ${problem.message}`;
}

/** Paths under the working directory are shown relative to it, the rest in full. */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

function isDirectRun(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isDirectRun()) {
  await templatesCommand().parseAsync(process.argv);
}
