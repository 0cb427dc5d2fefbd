// The agents defined in the agents folder (AGENTS_DIR, default agents/): one `<id>.yaml` each. The
// doors list them and refuse unknown ids before starting a run; the worker loads and validates them.
import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { projectRoot } from '../config/paths.js';

export interface AgentFile {
  id: string;
  description?: string;
  tools: string[];
  path: string;
  /** Set when the file does not parse as YAML (the worker's loader names the field). */
  problem?: string;
}

const EXTENSIONS = ['.yaml', '.yml'];

export function agentsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.AGENTS_DIR?.trim() || join(projectRoot, 'agents');
}

/** Every agent file in `dir`, by id; an absent folder has none. */
export async function listAgentFiles(dir: string = agentsDir()): Promise<AgentFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return [];
    throw error;
  }
  const files = names.filter((name) => EXTENSIONS.includes(extname(name))).sort();
  return Promise.all(files.map((name) => readAgentFile(join(dir, name))));
}

async function readAgentFile(path: string): Promise<AgentFile> {
  const id = basename(path, extname(path));
  try {
    const data = parseYaml(await readFile(path, 'utf8')) as { description?: unknown; tools?: unknown } | null;
    const tools = Array.isArray(data?.tools) ? data.tools.map(String) : [];
    return {
      id,
      path,
      tools,
      ...(typeof data?.description === 'string' ? { description: data.description } : {}),
    };
  } catch (error) {
    return { id, path, tools: [], problem: `${path}: ${(error as Error).message}` };
  }
}
