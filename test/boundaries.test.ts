// The boundary check (scripts/checkBoundaries.ts) passes on this tree and fails on each kind of
// violation planted in a scratch tree.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { projectRoot } from '../config/paths.js';
import { checkBoundaries } from '../scripts/checkBoundaries.js';

describe('the boundary check', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'boundaries-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));
  const plant = (path: string, text: string): void => {
    mkdirSync(dirname(join(scratch, path)), { recursive: true });
    writeFileSync(join(scratch, path), text);
  };

  test('passes on this project', () => {
    assert.deepEqual(checkBoundaries(projectRoot), []);
  });

  test('fails on each planted violation, naming the file, line and rule', () => {
    plant('workflows/bad.ts', "import { createActivities } from '../activities/index.js';\n");
    plant(
      'workflows/good.ts',
      "import type { Activities } from '../activities/index.js';\nimport { sleep } from '@temporalio/workflow';\n",
    );
    plant('workflows/node.ts', "import { readFileSync } from 'node:fs';\n");
    plant('core/reach.ts', "import { runWorker } from '../workers/main.js';\n");
    plant('common/up.ts', "import type { X } from '../core/x.js';\n");
    plant('activities/sdk.ts', "import OpenAI from 'openai';\n");
    plant('api/name.ts', "export const which = 'anthropic';\n");
    plant('api/excused.ts', "// boundary-ok: the door's wire format\nexport const format = 'openai';\n");
    plant('core/providers/fine.ts', "import OpenAI from 'openai';\nexport const name = 'openai';\n");
    const found = checkBoundaries(scratch).map((v) => `${v.file}:${v.line}:${v.rule}`);
    assert.deepEqual(found.sort(), [
      'activities/sdk.ts:1:provider-outside-providers',
      'api/name.ts:1:provider-outside-providers',
      'common/up.ts:1:common-imports-ours',
      'core/reach.ts:1:domain-reaches-up',
      'workflows/bad.ts:1:workflow-value-import',
      'workflows/node.ts:1:workflow-value-import',
    ]);
  });
});
