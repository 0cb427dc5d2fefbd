// Where the project's own files are, wherever the process was started from.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot: string = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const workflowsPath: string = resolve(projectRoot, 'workflows', 'index.ts');
