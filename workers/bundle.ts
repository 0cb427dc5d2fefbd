// The workflow bundle, built in a short-lived child process: webpack's working memory (over 100 MiB
// that V8 keeps once used) then never becomes the worker's. Also runnable by hand:
//   node --import tsx workers/bundle.ts <out.js> [--failure-converter <path>] [--tracing]
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { type BundleOptions, bundleWorkflowCode, type WorkflowBundleOption } from '@temporalio/worker';
import { projectRoot, runsCompiled, workflowsPath } from '../config/paths.js';
import { TRACING_WORKFLOW_INTERCEPTORS } from './tracing.js';

export interface BundleChoice {
  /** The codec's failure converter (encrypts failure messages), compiled into the bundle. */
  failureConverterPath?: string;
  /** OpenTelemetry workflow interceptors, compiled into the bundle. */
  tracing?: boolean;
}

const quietBundlerLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};

function bundleOptions(choice: BundleChoice): BundleOptions {
  return {
    workflowsPath,
    logger: quietBundlerLogger,
    ...(choice.failureConverterPath ? { failureConverterPath: choice.failureConverterPath } : {}),
    ...(choice.tracing ? { workflowInterceptorModules: [TRACING_WORKFLOW_INTERCEPTORS] } : {}),
  };
}

/** Builds the bundle in a child process into a temporary file, removed when this process exits. */
export async function buildBundleOutOfProcess(choice: BundleChoice): Promise<WorkflowBundleOption> {
  const out = join(tmpdir(), `llm-orchestrator-workflows-${process.pid}-${Date.now().toString(36)}.js`);
  const args = [
    // From the sources the child needs tsx's loader; the compiled build (dist/) runs as it is.
    ...(runsCompiled ? [] : ['--import', 'tsx']),
    fileURLToPath(import.meta.url),
    out,
    ...(choice.failureConverterPath ? ['--failure-converter', choice.failureConverterPath] : []),
    ...(choice.tracing ? ['--tracing'] : []),
  ];
  // `--import tsx` resolves from the working directory: the project's own tsx.
  await promisify(execFile)(process.execPath, args, { cwd: projectRoot, maxBuffer: 16 * 2 ** 20 });
  process.once('exit', () => rmSync(out, { force: true }));
  return { codePath: out };
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'failure-converter': { type: 'string' }, tracing: { type: 'boolean', default: false } },
  });
  const out = positionals[0];
  if (!out)
    throw new Error(
      'usage: node --import tsx workers/bundle.ts <out.js> [--failure-converter <path>] [--tracing]',
    );
  const { code } = await bundleWorkflowCode(
    bundleOptions({
      ...(values['failure-converter'] ? { failureConverterPath: values['failure-converter'] } : {}),
      tracing: values.tracing,
    }),
  );
  writeFileSync(out, code);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main(process.argv.slice(2));
