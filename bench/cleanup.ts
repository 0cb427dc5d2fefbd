// What a benchmark started (dev server, emulator, worker process) is stopped even when the run is
// interrupted (Ctrl-C, a closed pipe): otherwise the dev server outlives the benchmark.
const cleanups = new Set<() => Promise<void>>();
let installed = false;

/** Registers a cleanup; returns a function that runs it once and unregisters it. */
export function onInterrupt(cleanup: () => Promise<void>): () => Promise<void> {
  install();
  cleanups.add(cleanup);
  return async () => {
    if (!cleanups.delete(cleanup)) return;
    await cleanup();
  };
}

async function runAll(code: number): Promise<never> {
  const pending = [...cleanups];
  cleanups.clear();
  await Promise.allSettled(pending.map((cleanup) => cleanup()));
  process.exit(code);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.once('SIGINT', () => void runAll(130));
  process.once('SIGTERM', () => void runAll(143));
  // `npm run bench -- load | head`: writing to a closed pipe must not skip the cleanup.
  process.stdout.on('error', () => void runAll(1));
}
