// The routing table's retry policy: its heartbeat timeout is read from config/routing.yaml, and one
// too short to keep (a call beats at most once a second when few are in flight) is refused by name.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { ConfigError } from '../common/errors.js';
import { configDir, loadModelCatalog, loadRoutingTable } from '../config/load.js';

const dir = mkdtempSync(join(tmpdir(), 'routing-policy-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const shipped = readFileSync(join(configDir, 'routing.yaml'), 'utf8');

it('reads the heartbeat timeout of the retry policy', () => {
  const routing = loadRoutingTable(loadModelCatalog());
  assert.equal(routing.policy.retry.heartbeatTimeoutMs, 10_000);
});

it('refuses a heartbeat timeout under 2 s, naming the field', () => {
  const file = join(dir, 'routing.yaml');
  writeFileSync(file, shipped.replace('heartbeatTimeoutMs: 10000', 'heartbeatTimeoutMs: 1000'));
  assert.throws(
    () => loadRoutingTable(loadModelCatalog(), file),
    (error: Error) => error instanceof ConfigError && /heartbeatTimeoutMs/.test(error.message),
  );
});
