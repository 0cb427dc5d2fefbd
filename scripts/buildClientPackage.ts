// `npm run build:client`: the client package (packages/client, `@llm-orchestrator/client`) from the
// sources. esbuild bundles client/index.ts and the modules of ours it reaches into dist/index.js,
// npm packages left as imports; the codecs and stream stores connect() loads on demand become their
// own chunks. tsc writes the declarations, and only those index.d.ts reaches are kept. The build
// fails when the entry's static imports reach a package a client-only service must not load.
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { projectRoot } from '../config/paths.js';

export const clientPackageDir: string = join(projectRoot, 'packages', 'client');
const distDir = join(clientPackageDir, 'dist');
const ENTRY = 'client/index.ts';
/** Packages a service that only imports the client must never load at start. */
export const FORBIDDEN_PACKAGES: readonly string[] = [
  '@temporalio/worker',
  'fastify',
  'ioredis',
  'openai',
  '@anthropic-ai/sdk',
];

/** npm packages the entry chunk imports statically (dynamic imports load only on demand). */
function staticPackages(metafile: Metafile, output: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const { path, kind, external } of metafile.outputs[file]?.imports ?? []) {
      if (kind === 'dynamic-import') continue;
      if (external)
        packages.add(
          path.startsWith('@') ? path.split('/').slice(0, 2).join('/') : (path.split('/')[0] ?? path),
        );
      else visit(path);
    }
  };
  visit(output);
  return packages;
}

async function bundle(): Promise<void> {
  const result = await build({
    entryPoints: { index: join(projectRoot, ENTRY) },
    outdir: distDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    // The precompiled validators (common/inputValidators.generated.cjs) require ajv's runtime helpers.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);",
    },
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
  });
  // The codec chunk finds Temporal's failure converter beside itself (codec/fromEnv.ts).
  copyFileSync(join(projectRoot, 'codec', 'failureConverter.cjs'), join(distDir, 'failureConverter.cjs'));
  const entry = Object.keys(result.metafile.outputs).find((file) => file.endsWith('dist/index.js'));
  if (!entry) throw new Error('esbuild wrote no dist/index.js');
  const loaded = [...staticPackages(result.metafile, entry)];
  const forbidden = loaded.filter((name) => FORBIDDEN_PACKAGES.includes(name));
  if (forbidden.length) throw new Error(`the client entry loads ${forbidden.join(', ')} at start`);
  console.log(`dist/index.js: loads ${loaded.sort().join(', ')}`);
}

/** The declaration files `from` reaches through relative imports, `from` included. */
function reachableDeclarations(root: string, from: string): string[] {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const file = stack.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(join(root, file), 'utf8');
    for (const [, spec] of text.matchAll(/(?:from|import\()\s*['"](\.[^'"]+)['"]/g))
      stack.push(normalize(join(dirname(file), (spec as string).replace(/\.js$/, '.d.ts'))));
  }
  return [...seen];
}

function declarations(): void {
  const all = join(clientPackageDir, '.types');
  rmSync(all, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [
      join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      join(clientPackageDir, 'tsconfig.json'),
    ],
    { stdio: 'inherit' },
  );
  const kept = reachableDeclarations(all, ENTRY.replace(/\.ts$/, '.d.ts'));
  for (const file of kept) {
    mkdirSync(dirname(join(distDir, 'types', file)), { recursive: true });
    cpSync(join(all, file), join(distDir, 'types', file));
  }
  rmSync(all, { recursive: true, force: true });
  console.log(`dist/types: ${kept.length} declaration files`);
}

export async function buildClientPackage(): Promise<void> {
  rmSync(distDir, { recursive: true, force: true });
  await bundle();
  declarations();
}

if (import.meta.url === `file://${process.argv[1]}`) await buildClientPackage();
