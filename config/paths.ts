// Where the project's own files are, wherever the process was started from, and whether it runs from
// the TypeScript sources (tsx) or from the compiled build in dist/ (`npm run build`).
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** True in the compiled build: this file is then dist/config/paths.js, one level deeper. */
export const runsCompiled: boolean = import.meta.url.endsWith('.js');
/** The package root: templates/, pipelines/, config/*.yaml and the data the program reads at run time. */
export const projectRoot: string = resolve(here, runsCompiled ? '../..' : '..');
/** The root of the code that runs: the project itself, or dist/ in the compiled build. */
export const codeRoot: string = resolve(here, '..');
/** The workflows' entry the bundler starts from: compiled JavaScript in the build, else the sources. */
export const workflowsPath: string = resolve(codeRoot, 'workflows', runsCompiled ? 'index.js' : 'index.ts');
