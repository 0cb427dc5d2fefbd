#!/usr/bin/env node
// The `llm-orchestrator` command. It runs the compiled build (dist/, `npm run build`) when that is
// at least as new as every source file; otherwise — a checkout that has not built yet, or sources
// edited since — it runs the TypeScript sources through tsx, so it never runs stale code.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
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

/** The stamp scripts/build.ts writes: its time, and the folders it compiled (COMPILED_FOLDERS). */
function buildIsFresh() {
  const stamp = join(root, 'dist', '.build-stamp');
  let built;
  let folders;
  try {
    built = statSync(stamp).mtimeMs;
    folders = JSON.parse(readFileSync(stamp, 'utf8')).folders;
  } catch {
    return false; // no build, or one from before the stamp listed its folders
  }
  if (!Array.isArray(folders)) return false;
  return folders.every((folder) => newestSource(join(root, folder)) <= built);
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
