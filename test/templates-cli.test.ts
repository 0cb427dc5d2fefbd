// The `templates` command: check exits non-zero on any bad file (once as a child process, as an
// operator or CI would run it; the other cases in this process, which is seconds faster per case),
// render prints the exact messages without calling a model.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { templatesCommand } from '../cli/templates.js';
import { type CommandOutput, runInProcess } from './support/cli.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CLI = join(ROOT, 'cli/templates.ts');

function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the command in this process (token counts are characters here). */
const run = (args: string[], env: Record<string, string> = {}): Promise<CommandOutput> =>
  runInProcess((io) => templatesCommand({ countTokens: (text) => text.length, ...io }), args, env);

describe('templates as a child process', () => {
  let badDir: string;

  before(async () => {
    badDir = await mkdtemp(join(tmpdir(), 'templates-cli-'));
    await mkdir(join(badDir, 'broken'));
    await writeFile(join(badDir, 'broken', '1.0.yaml'), 'templateId: broken\nversion: "1.0"\n');
  });
  after(async () => {
    await rm(badDir, { recursive: true, force: true });
  });

  it('check exits 0 on the shipped templates', async () => {
    const result = await run(['check']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /9 template file\(s\) OK/);
  });

  it('check exits non-zero and names the file and field on a bad folder, as a child process', () => {
    const result = runCli(['check', '--dir', badDir]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /broken\/1\.0\.yaml \[systemMessage\]: systemMessage is required/);
    assert.match(result.stdout, /0 template file\(s\) OK, 1 with problems/);
  });

  it('check reads the folder from TEMPLATES_DIR', async () => {
    const result = await run(['check'], { TEMPLATES_DIR: badDir });
    assert.equal(result.status, 1);
    assert.match(result.stdout, /0 template file\(s\) OK, 1 with problems/);
  });

  it('render rejects a --var without a value', async () => {
    const result = await run(['render', 'general_qa', '--var', 'question']);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /--var expects key=value/);
  });

  it('render exits non-zero with a message on a missing template', async () => {
    const result = await run(['render', 'no_such_template']);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^error: unknown template "no_such_template"/);
  });
});

describe('templates render', () => {
  it('prints the exact messages and their token counts', async () => {
    const { stdout } = await run(['render', 'general_qa@1.0', '--var', 'question=What is Temporal?']);
    const system =
      'You are a knowledgeable and careful assistant. Answer accurately and concisely. If you are not sure of the answer, say so rather than guessing.';
    assert.equal(
      stdout,
      `general_qa@1.0  output: text\n\n--- system (${system.length} tokens) ---\n${system}\n\n--- user (27 tokens) ---\nQuestion: What is Temporal?\n\ntotal: ${system.length + 27} tokens\n`,
    );
  });

  it('parses JSON values, merges a vars file and prints JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'templates-vars-'));
    try {
      const varsFile = join(dir, 'vars.json');
      await writeFile(varsFile, JSON.stringify({ requirement: 'from file', context: 'ctx' }));
      const { stdout } = await run([
        'render',
        'requirement_breakdown',
        '--vars-file',
        varsFile,
        '--var',
        'requirement=Export invoices as CSV',
        '--var',
        'available_roles=["backend","qa"]',
        '--json',
      ]);
      const rendered = JSON.parse(stdout);
      assert.equal(rendered.version, '1.0');
      assert.equal(rendered.outputFormat, 'json');
      assert.match(
        rendered.messages[1].content,
        /^Break down the following requirement into implementation tasks:\n\nExport invoices as CSV\n\nProject context:\nctx\n\nChoose each suggested_role from: backend, qa\.\n\n/,
      );
      assert.equal(rendered.tokenCounts[1], rendered.messages[1].content.length);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('picks the variant from --request-id', async () => {
    const first = JSON.parse(
      (await run(['render', 'general_qa', '--var', 'question=Q', '--request-id', 'abc', '--json'])).stdout,
    );
    const again = JSON.parse(
      (await run(['render', 'general_qa', '--var', 'question=Q', '--request-id', 'abc', '--json'])).stdout,
    );
    assert.ok(first.variant);
    assert.equal(again.variant, first.variant);
  });
});

describe('templates list and show', () => {
  it('lists every template with its versions', async () => {
    const { stdout } = await run(['list', '--json']);
    const list = JSON.parse(stdout) as { id: string; versions: string[]; latest: string }[];
    assert.deepEqual(
      list.find((s) => s.id === 'general_qa'),
      {
        id: 'general_qa',
        versions: ['1.0', '1.1'],
        latest: '1.1',
        description: 'Answers a question, optionally from supplied context, for a named audience',
      },
    );
  });

  it('shows a pinned version with its defaults', async () => {
    const { stdout } = await run(['show', 'code_generation@1.0']);
    assert.match(stdout, /^code_generation@1\.0 {2}\(versions: 1\.0\)\n/);
    assert.match(stdout, /\n {2}coding_standards = "PEP 8"\n/);
  });
});
