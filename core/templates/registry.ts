// The template registry: the loaded set of templates, looked up by id and version and rendered for
// requests. A reload builds a whole new set and swaps it in at once, so a request sees either the
// old set or the new one, never a mix; a rendered prompt carries the version it used.
import { type FSWatcher, watch as watchFs } from 'node:fs';
import { relative, sep } from 'node:path';
import type { Liquid } from 'liquidjs';
import { ConfigError, TemplateNotFoundError } from '../../common/errors.js';
import type { RenderedPrompt, RenderPromptInput } from '../../common/prompt.js';
import type { CompiledTemplate } from './compile.js';
import { createLiquid } from './liquid.js';
import { loadTemplateDir, type TemplateSet } from './load.js';
import { renderTemplate } from './render.js';
import type { CountTokens, PromptTemplate, TemplateProblem, TemplateSummary } from './types.js';
import { compareVersions, isVersion } from './versions.js';

export interface TemplateRegistryOptions {
  /** Token estimate per rendered message; defaults to about four characters a token. */
  countTokens?: CountTokens;
}

export interface WatchOptions {
  /** Quiet time after the last change before reloading; editors write files in bursts. */
  debounceMs?: number;
  /** Called after each successful reload with the problems of the new set. */
  onReload?: (problems: readonly TemplateProblem[]) => void;
  /** Called when a reload fails; the previous set keeps serving. */
  onError?: (error: unknown) => void;
}

export interface TemplateRegistry {
  readonly dir: string;
  /** Files that failed to load, each with why; the rest loaded. */
  readonly problems: readonly TemplateProblem[];
  /** A template by id; without a version, its highest version. */
  get(id: string, version?: string): PromptTemplate;
  list(): TemplateSummary[];
  render(input: RenderPromptInput): RenderedPrompt;
  /** Re-reads the folder and swaps the new set in; throws and keeps the old set when nothing at all loads. */
  reload(): Promise<void>;
  /** Reloads when the folder changes; returns a function that stops watching. */
  watch(options?: WatchOptions): () => void;
}

export const estimateTokens: CountTokens = (text) => Math.ceil(text.length / 4);

export async function loadTemplateRegistry(
  dir: string,
  options: TemplateRegistryOptions = {},
): Promise<TemplateRegistry> {
  const liquid = createLiquid();
  const loaded = await loadTemplateDir(dir, liquid);
  return new FolderTemplateRegistry(dir, liquid, options.countTokens ?? estimateTokens, loaded);
}

interface Snapshot {
  templates: TemplateSet;
  problems: readonly TemplateProblem[];
}

class FolderTemplateRegistry implements TemplateRegistry {
  private snapshot: Snapshot;
  private loads = 0;

  constructor(
    readonly dir: string,
    private readonly liquid: Liquid,
    private readonly countTokens: CountTokens,
    initial: Snapshot,
  ) {
    this.snapshot = initial;
  }

  get problems(): readonly TemplateProblem[] {
    return this.snapshot.problems;
  }

  get(id: string, version?: string): PromptTemplate {
    return this.lookup(id, version).template;
  }

  list(): TemplateSummary[] {
    return [...this.snapshot.templates]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([id, versions]) => {
        const ordered = [...versions.keys()];
        const latest = ordered[ordered.length - 1] ?? '';
        return {
          id,
          versions: ordered,
          latest,
          description: versions.get(latest)?.template.metadata.description ?? '',
        };
      });
  }

  render(input: RenderPromptInput): RenderedPrompt {
    const compiled = this.lookup(input.templateId, input.templateVersion);
    return renderTemplate(compiled, input, this.liquid, this.countTokens);
  }

  async reload(): Promise<void> {
    const load = ++this.loads;
    const next = await loadTemplateDir(this.dir, this.liquid);
    // A reload that started later has already swapped in a fresher view of the folder.
    if (load !== this.loads) return;
    // Nothing loading at all is a broken folder (or a checkout half done), not an intent to serve nothing.
    if (next.templates.size === 0 && this.snapshot.templates.size > 0) {
      const reasons = next.problems.map((p) => `${p.path}: ${p.message}`).join('; ') || 'no template files';
      throw new ConfigError(`no template in ${this.dir} loaded, still serving the previous set: ${reasons}`, {
        details: { dir: this.dir, problems: next.problems },
      });
    }
    this.snapshot = { templates: next.templates, problems: next.problems };
  }

  watch(options: WatchOptions = {}): () => void {
    const debounceMs = options.debounceMs ?? 250;
    const onError = options.onError ?? ((error) => console.error(`templates: ${describe(error)}`));
    const onReload = options.onReload ?? logProblems;
    let timer: NodeJS.Timeout | undefined;
    const schedule = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        this.reload().then(() => onReload(this.problems), onError);
      }, debounceMs);
    };
    const watcher: FSWatcher = watchFs(this.dir, { recursive: true }, schedule);
    watcher.on('error', onError);
    return () => {
      clearTimeout(timer);
      watcher.close();
    };
  }

  private lookup(id: string, version: string | undefined): CompiledTemplate {
    const versions = this.snapshot.templates.get(id);
    if (!versions) {
      const known = [...this.snapshot.templates.keys()].sort();
      throw new TemplateNotFoundError(
        `unknown template "${id}"${this.failedNote(id)}; known templates: ${known.join(', ') || '(none)'}`,
        { details: { templateId: id, knownTemplates: known } },
      );
    }
    const knownVersions = [...versions.keys()];
    const wanted =
      version === undefined
        ? knownVersions[knownVersions.length - 1]
        : knownVersions.find(
            (v) => v === version || (isVersion(version) && compareVersions(v, version) === 0),
          );
    const compiled = wanted === undefined ? undefined : versions.get(wanted);
    if (!compiled) {
      throw new TemplateNotFoundError(
        `template "${id}" has no version "${version}"${this.failedNote(id)}; known versions: ${knownVersions.join(', ')}`,
        { details: { templateId: id, version, knownVersions } },
      );
    }
    return compiled;
  }

  /** Points at files of this id that failed to load: the likely reason a lookup misses. */
  private failedNote(id: string): string {
    const failed = this.snapshot.problems.filter((p) => relative(this.dir, p.path).split(sep)[0] === id);
    if (failed.length === 0) return '';
    const paths = [...new Set(failed.map((p) => p.path))];
    return ` (${paths.join(', ')} failed to load; run \`templates check\`)`;
  }
}

function logProblems(problems: readonly TemplateProblem[]): void {
  for (const p of problems) console.warn(`templates: ${p.path}: ${p.message}`);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
