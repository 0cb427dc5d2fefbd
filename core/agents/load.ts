// Reads agent definitions: agents/<id>.yaml (AGENTS_DIR points elsewhere), checked against the schema
// at load; every problem names the file and the field, as templates and pipelines do.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { AgentDefinitionError } from '../../common/agents/errors.js';
import type { AgentDefinition } from '../../common/agents/types.js';
import { projectRoot } from '../../config/paths.js';
import { agentProblems } from './schema.js';

export const DEFAULT_AGENTS_DIR: string = join(projectRoot, 'agents');

const ID = /^[a-z0-9][a-z0-9_-]*$/;

/** A definition given inline (a caller's, or a pipeline's), checked like a file. */
export function checkAgentDefinition(source: string, data: unknown): AgentDefinition {
  const problems = agentProblems(data);
  if (problems.length > 0) {
    throw new AgentDefinitionError(`${source}: ${problems.join('; ')}`, { details: { source, problems } });
  }
  return data as AgentDefinition;
}

export async function loadAgent(id: string, dir: string = DEFAULT_AGENTS_DIR): Promise<AgentDefinition> {
  if (!ID.test(id)) {
    throw new AgentDefinitionError(`"${id}" is not an agent id: ids are lowercase letters, digits, _ and -`);
  }
  const path = join(dir, `${id}.yaml`);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new AgentDefinitionError(
      `no agent "${id}": ${path} does not exist; add it or pick one from agents/`,
      {
        details: { agentId: id, file: path },
      },
    );
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw new AgentDefinitionError(`${path}: cannot be read as YAML: ${(error as Error).message}`);
  }
  // The id is the file's name; a file may leave it out.
  const withId = data && typeof data === 'object' ? { id, ...(data as object) } : data;
  const definition = checkAgentDefinition(path, withId);
  if (definition.id !== id) {
    throw new AgentDefinitionError(`${path}: id is "${definition.id}" but the file is ${id}.yaml`);
  }
  return definition;
}
