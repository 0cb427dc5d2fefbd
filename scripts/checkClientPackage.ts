// CI's check of the client package as a service meets it: build and `npm pack` packages/client,
// install the tarball into a fresh TypeScript project in a temporary folder, compile a file that
// imports it under `strict`, and run it against a real stack (dev server, provider emulator, worker,
// started as the tests start them): one request answered, one malformed request refused, typed.
//   node --import tsx scripts/checkClientPackage.ts
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startHarness } from '../test/support/harness.js';
import { buildClientPackage, clientPackageDir, FORBIDDEN_PACKAGES } from './buildClientPackage.js';

const CONSUMER = `import {
  failureType,
  InvalidRequestError,
  type LlmRequest,
  type LlmResult,
  OrchestratorClient,
} from '@llm-orchestrator/client';

const client = await OrchestratorClient.connect({
  address: process.env.TEMPORAL_ADDRESS ?? 'localhost:7233',
  taskQueue: process.env.LLM_TASK_QUEUE ?? 'llm-requests',
});
const request: LlmRequest = {
  requestId: \`consumer-\${process.pid}\`,
  taskType: 'general_qa',
  templateId: 'general_qa',
  variables: { question: 'What is Temporal?' },
};
// The package's types are real, not \`any\`: each line below must be refused.
// @ts-expect-error a request id is a string
const wrongId: LlmRequest = { ...request, requestId: 42 };
// @ts-expect-error a result's cost is a number
const wrongCost: string = ({} as LlmResult).costUsd;
void [wrongId, wrongCost];
const result: LlmResult = await client.process(request);
let refused: string | undefined;
try {
  await client.start({ ...request, requestId: 'has a space' });
} catch (error) {
  refused = failureType(error);
}
console.log(JSON.stringify({ model: result.model, text: result.text, costUsd: result.costUsd, refused }));
await client.close();
if (refused !== InvalidRequestError.type) process.exit(1);
`;

function versionOf(pkg: string): string {
  return (JSON.parse(readFileSync(join('node_modules', pkg, 'package.json'), 'utf8')) as { version: string })
    .version;
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(command, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

async function main(): Promise<void> {
  await buildClientPackage();
  const project = mkdtempSync(join(tmpdir(), 'llm-client-consumer-'));
  try {
    const [packed] = JSON.parse(
      run('npm', ['pack', '--json', '--pack-destination', project], clientPackageDir),
    ) as {
      filename: string;
      files: unknown[];
    }[];
    if (!packed) throw new Error('npm pack wrote no tarball');
    console.log(`packed ${packed.filename} (${packed.files.length} files)`);
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noUncheckedIndexedAccess: true,
          // Temporal's own declarations need it (they name \`ms\` and \`source-map\` types they do not
          // depend on), as they do in this project; the @ts-expect-error lines prove ours resolve.
          skipLibCheck: true,
          types: ['node'],
          outDir: 'out',
        },
        files: ['consumer.ts'],
      }),
    );
    writeFileSync(join(project, 'consumer.ts'), CONSUMER);
    run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        join(project, packed.filename),
        `typescript@${versionOf('typescript')}`,
        `@types/node@${versionOf('@types/node')}`,
      ],
      project,
    );
    const installed = FORBIDDEN_PACKAGES.filter((pkg) => existsSync(join(project, 'node_modules', pkg)));
    if (installed.length) throw new Error(`installing the client brought in ${installed.join(', ')}`);
    console.log(`installed without ${FORBIDDEN_PACKAGES.join(', ')}`);
    run(process.execPath, [join('node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], project);
    console.log('consumer.ts compiles under strict');

    const stack = await startHarness();
    try {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        TEMPORAL_ADDRESS: stack.env.address,
        LLM_TASK_QUEUE: stack.taskQueue,
      };
      delete env.REDIS_URL;
      // Not execFileSync: the worker runs in this process and must keep answering meanwhile.
      const { stdout } = await promisify(execFile)(process.execPath, [join('out', 'consumer.js')], {
        cwd: project,
        env,
        encoding: 'utf8',
      });
      const output = stdout.trim();
      console.log(`consumer: ${output}`);
      const answer = JSON.parse(output) as { text?: string; refused?: string };
      if (!answer.text || answer.refused !== 'InvalidRequestError') throw new Error('unexpected answer');
    } finally {
      await stack.stop();
    }
    console.log('client package check: ok');
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}

await main();
