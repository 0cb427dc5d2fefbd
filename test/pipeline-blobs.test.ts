// The blob store behind large pipeline outputs, on both backends it supports: a directory and a real
// Redis. Values go in by content (sha256), come back equal, and can be peeked at without loading all.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createPipelineActivities } from '../activities/pipelines.js';
import { failureType } from '../common/errors.js';
import type { JsonValue } from '../common/request.js';
import { type BlobStore, pipelineBlobDirectory, pipelineBlobRedis } from '../core/pipelines/blobs.js';
import { type RunningRedis, startRedis } from '../scripts/redis.js';

const analysis: JsonValue = {
  tasks: [
    { title: 'Schema', description: 'x'.repeat(5000) },
    { title: 'Routes', description: 'y'.repeat(5000) },
  ],
  dependencies: [{ from_task: 'Schema', to_task: 'Routes' }],
};

function behavesAsABlobStore(
  name: string,
  activities: () => ReturnType<typeof createPipelineActivities>,
): void {
  describe(name, () => {
    it('stores by content and loads the same value back', async () => {
      const { storeBlob, loadBlob } = activities();
      const ref = await storeBlob({ value: analysis });
      assert.match(ref.$ref, /^blob:[0-9a-f]{64}$/);
      assert.deepEqual(await storeBlob({ value: analysis }), ref, 'same content, same reference');
      assert.deepEqual(await loadBlob({ ref: ref.$ref }), analysis);
    });

    it('peeks at a path: the length and fields of an array, the value only when small', async () => {
      const { storeBlob, peekBlob } = activities();
      const { $ref } = await storeBlob({ value: analysis });
      const tasks = await peekBlob({
        pointer: { $ref, $path: ['tasks'] },
        maxBytes: 1000,
        fields: ['title'],
      });
      assert.deepEqual(tasks, { found: true, length: 2, fields: [['Schema'], ['Routes']] });
      const title = await peekBlob({ pointer: { $ref, $path: ['tasks', 1, 'title'] }, maxBytes: 1000 });
      assert.deepEqual(title, { found: true, value: 'Routes' });
      const missing = await peekBlob({ pointer: { $ref, $path: ['steps'] }, maxBytes: 1000 });
      assert.equal(missing.found, false);
      assert.match(missing.reason ?? '', /has no field "steps"/);
    });

    it('an unknown reference fails with BlobNotFoundError naming it', async () => {
      const ref = `blob:${'0'.repeat(64)}`;
      await assert.rejects(activities().loadBlob({ ref }), (error: unknown) => {
        assert.equal(failureType(error), 'BlobNotFoundError');
        assert.match((error as Error).message, new RegExp(ref));
        return true;
      });
    });
  });
}

let dir: string;
let redis: RunningRedis;
let redisStore: BlobStore;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'blobs-'));
  redis = await startRedis();
  redisStore = pipelineBlobRedis(redis.url);
});
after(async () => {
  await redisStore?.close();
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

behavesAsABlobStore('a directory blob store', () =>
  createPipelineActivities({ blobs: pipelineBlobDirectory(dir) }),
);
behavesAsABlobStore('a Redis blob store', () => createPipelineActivities({ blobs: redisStore }));

describe('the directory layout', () => {
  it('keeps one file per blob under the first two hex digits, and no temporary files', async () => {
    const { storeBlob } = createPipelineActivities({ blobs: pipelineBlobDirectory(dir) });
    const { $ref } = await storeBlob({ value: 'hello' });
    const key = $ref.slice('blob:'.length);
    const files = await readdir(join(dir, key.slice(0, 2)));
    assert.ok(files.includes(`${key}.json`), files.join(', '));
    assert.ok(!files.some((f) => f.endsWith('.tmp')), files.join(', '));
  });
});
