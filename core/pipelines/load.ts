// Reads pipeline definitions: pipelines/<name>.yaml, checked against the schema and then for what a
// schema cannot see (references, needs, cycles). Every problem names the file and the field.
import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../../common/errors.js';
import { compilePipeline, type DefinitionProblem } from '../../common/pipelines/plan.js';
import type { PipelineDefinition } from '../../common/pipelines/types.js';
import { projectRoot } from '../../config/paths.js';
import { checkPipelineShape } from './schema.js';

const EXTENSIONS = ['.yaml', '.yml'];
const NAME = /^[a-z0-9][a-z0-9_-]*$/;

/** The project's pipelines/; PIPELINES_DIR (config/env.ts) points elsewhere. */
export const DEFAULT_PIPELINES_DIR: string = join(projectRoot, 'pipelines');

export type CheckResult =
  | { ok: true; definition: PipelineDefinition }
  | { ok: false; problems: DefinitionProblem[] };

/** Shape first (the schema), then meaning (references, needs, cycles). */
export function checkPipelineDefinition(data: unknown): CheckResult {
  const shape = checkPipelineShape(data);
  if (!shape.ok) return shape;
  const compiled = compilePipeline(shape.value);
  return compiled.ok ? { ok: true, definition: shape.value } : compiled;
}

/** One line per problem, prefixed with where the definition came from. */
export function describeProblems(source: string, problems: DefinitionProblem[]): string {
  const lines = problems.map((p) => (p.message.startsWith(p.field) ? p.message : `${p.field}: ${p.message}`));
  return `${source}: ${lines.join('; ')}`;
}

export async function loadPipelineFile(path: string): Promise<PipelineDefinition> {
  let data: unknown;
  try {
    data = parseYaml(await readFile(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`${path}: cannot be read as YAML: ${(error as Error).message}`, {
      details: { file: path },
    });
  }
  const checked = checkPipelineDefinition(data);
  if (!checked.ok) {
    throw new ConfigError(describeProblems(path, checked.problems), {
      details: { file: path, problems: checked.problems },
    });
  }
  const expected = basename(path, extname(path));
  if (checked.definition.name !== expected) {
    throw new ConfigError(
      `${path}: name is "${checked.definition.name}" but the file is ${expected}${extname(path)}`,
      {
        details: { file: path, field: 'name' },
      },
    );
  }
  return checked.definition;
}

/** Pipeline name -> its file, for the definition files in a folder. */
async function pipelineFiles(dir: string): Promise<Map<string, string>> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    throw new ConfigError(
      `cannot read pipelines folder ${dir}: ${(error as Error).message}. Set PIPELINES_DIR`,
      {
        details: { dir },
      },
    );
  }
  const files = entries.filter((f) => EXTENSIONS.includes(extname(f)) && !f.startsWith('.')).sort();
  return new Map(files.map((f) => [basename(f, extname(f)), join(dir, f)]));
}

export async function listPipelines(dir: string): Promise<string[]> {
  return [...(await pipelineFiles(dir)).keys()];
}

export async function loadPipelineByName(dir: string, name: string): Promise<PipelineDefinition> {
  if (!NAME.test(name)) {
    throw new ConfigError(`"${name}" is not a pipeline name (lowercase letters, digits, _ and -)`, {
      details: { name },
    });
  }
  const files = await pipelineFiles(dir);
  const path = files.get(name);
  if (path === undefined) {
    const known = [...files.keys()];
    throw new ConfigError(`no pipeline "${name}" in ${dir}; known pipelines: ${known.join(', ') || 'none'}`, {
      details: { name, dir, known },
    });
  }
  return loadPipelineFile(path);
}

/** Every file in the folder, loaded or with its problems (for `pipeline check`). */
export async function checkPipelinesDir(
  dir: string,
): Promise<{ name: string; definition?: PipelineDefinition; problem?: string }[]> {
  const results: { name: string; definition?: PipelineDefinition; problem?: string }[] = [];
  for (const name of await listPipelines(dir)) {
    try {
      results.push({ name, definition: await loadPipelineByName(dir, name) });
    } catch (error) {
      results.push({ name, problem: (error as Error).message });
    }
  }
  return results;
}
