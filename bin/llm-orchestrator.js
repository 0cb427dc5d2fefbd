#!/usr/bin/env node
// The `llm-orchestrator` command. It runs the compiled build (dist/, `npm run build`) when that is
// at least as new as every source file; otherwise — a checkout that has not built yet, or sources
// edited since — it runs the TypeScript sources through tsx, so it never runs stale code.
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// The folders scripts/build.ts compiles (COMPILED_FOLDERS); kept here so the check loads nothing.
const compiled = [
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

function newestSource(dir) {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0; // an installed package or image may ship dist/ without the sources
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (/\.(ts|cjs)$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function buildIsFresh() {
  let built;
  try {
    built = statSync(join(root, 'dist', '.build-stamp')).mtimeMs;
  } catch {
    return false;
  }
  return compiled.every((folder) => newestSource(join(root, folder)) <= built);
}

if (buildIsFresh()) {
  const { main } = await import(new URL('../dist/cli/main.js', import.meta.url).href);
  await main();
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../cli/main.ts');
  await main();
}
