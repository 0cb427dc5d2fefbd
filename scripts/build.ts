// `npm run build`: the product compiled to dist/ in the sources' own layout (one .js per .ts, so
// relative imports and config/paths.ts work unchanged), then the default workflow bundle prebuilt as
// dist/workflow-bundle.js for the image (WORKFLOW_BUNDLE_PATH). esbuild only strips types: the type
// check is `npm run typecheck`. `--js-only` skips the bundle (what `npm start` needs; about a second).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { projectRoot } from '../config/paths.js';

/** The folders whose code runs in production (the CLI, worker, API, emulator and `npm start`). */
export const COMPILED_FOLDERS: readonly string[] = [
  'activities',
  'api',
  'cli',
  'client',
  'codec',
  'common',
  'config',
  'core',
  'emulator',
  'scripts',
  'workers',
  'workflows',
];
/** Plain JavaScript the code loads by path (Temporal requires the failure converter by file name). */
const COPIED_FILES: readonly string[] = [
  'codec/failureConverter.cjs',
  'common/inputValidators.generated.cjs',
];

export const distDir: string = join(projectRoot, 'dist');
/** Touched with the build's start time and listing the compiled folders: the bin runs dist/ only if no source in them is newer. */
export const buildStampPath: string = join(distDir, '.build-stamp');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

export async function compileJavaScript(): Promise<number> {
  const started = new Date();
  rmSync(distDir, { recursive: true, force: true });
  const entryPoints = COMPILED_FOLDERS.flatMap((folder) => sourceFiles(join(projectRoot, folder)));
  await build({
    entryPoints,
    outdir: distDir,
    outbase: projectRoot,
    bundle: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  for (const file of COPIED_FILES) {
    mkdirSync(dirname(join(distDir, file)), { recursive: true });
    copyFileSync(join(projectRoot, file), join(distDir, file));
  }
  // The bin reads which folders to compare against from here, so the list is written down once.
  writeFileSync(
    buildStampPath,
    `${JSON.stringify({ builtAt: started.toISOString(), folders: COMPILED_FOLDERS })}\n`,
  );
  utimesSync(buildStampPath, started, started);
  return entryPoints.length;
}

/** The default bundle (no codec failure converter, no tracing), built by the compiled bundler. */
export function bundleWorkflows(out: string = join(distDir, 'workflow-bundle.js')): string {
  execFileSync(process.execPath, [join(distDir, 'workers', 'bundle.js'), out], {
    cwd: projectRoot,
    stdio: 'inherit',
  });
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'js-only': { type: 'boolean', default: false } } });
  const t0 = performance.now();
  const files = await compileJavaScript();
  console.log(`dist/: ${files} files compiled in ${Math.round(performance.now() - t0)} ms`);
  if (values['js-only']) return;
  const t1 = performance.now();
  const bundle = bundleWorkflows();
  console.log(`${relative(projectRoot, bundle)}: built in ${Math.round(performance.now() - t1)} ms`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
