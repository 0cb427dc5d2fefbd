// Reads a templates folder (templates/<templateId>/<version>.yaml) into a set of compiled templates
// plus the problems of the files that could not be loaded. One bad file never stops the others.
import type { Dirent } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Liquid } from 'liquidjs';
import { ConfigError } from '../../common/errors.js';
import { type CompiledTemplate, compileTemplateFile } from './compile.js';
import type { TemplateProblem } from './types.js';
import { compareVersions, isVersion } from './versions.js';

const TEMPLATE_EXTENSIONS = new Set(['.yaml', '.yml']);

/** Template id -> version -> compiled template. */
export type TemplateSet = Map<string, Map<string, CompiledTemplate>>;

export interface LoadResult {
  templates: TemplateSet;
  problems: TemplateProblem[];
}

export async function loadTemplateDir(dir: string, liquid: Liquid): Promise<LoadResult> {
  const entries = await listDir(dir);
  const templates: TemplateSet = new Map();
  const problems: TemplateProblem[] = [];

  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isFile() && TEMPLATE_EXTENSIONS.has(extname(entry.name))) {
      problems.push({ path, message: 'template files belong in <templates>/<templateId>/<version>.yaml' });
      continue;
    }
    if (!entry.isDirectory()) continue;

    const versions = new Map<string, CompiledTemplate>();
    for (const file of await listDir(path)) {
      const extension = extname(file.name);
      if (!file.isFile() || file.name.startsWith('.') || !TEMPLATE_EXTENSIONS.has(extension)) continue;
      const filePath = join(path, file.name);
      const version = file.name.slice(0, -extension.length);
      if (!isVersion(version)) {
        problems.push({
          path: filePath,
          message: `file name "${file.name}" must be a version, e.g. 1.0.yaml`,
        });
        continue;
      }
      const clash = [...versions.keys()].find((known) => compareVersions(known, version) === 0);
      if (clash !== undefined) {
        const other = versions.get(clash)?.template.path ?? clash;
        problems.push({
          path: filePath,
          field: 'version',
          message: `version ${version} is already defined by ${other}`,
        });
        continue;
      }
      let text: string;
      try {
        text = await readFile(filePath, 'utf8');
      } catch (error) {
        problems.push({ path: filePath, message: `cannot read file: ${(error as Error).message}` });
        continue;
      }
      const result = compileTemplateFile({ path: filePath, templateId: entry.name, version, text }, liquid);
      if (result.ok) versions.set(version, result.compiled);
      else problems.push(...result.problems);
    }
    if (versions.size > 0) {
      // Keep versions in ascending order so the last one is the latest.
      templates.set(entry.name, new Map([...versions].sort(([a], [b]) => compareVersions(a, b))));
    }
  }
  return { templates, problems };
}

async function listDir(dir: string): Promise<Dirent[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    // Sorted so problems and duplicate detection do not depend on the filesystem's order.
    return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`cannot read templates folder ${dir}: ${reason}. Set TEMPLATES_DIR or pass --dir`, {
      details: { dir },
    });
  }
}
