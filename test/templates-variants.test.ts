// A/B variants are chosen from the request id alone: in proportion to the weights, and the same
// id always gets the same variant (retries, replays and reruns see the prompt they saw first).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseVariant, hashToUnit } from '../core/templates/index.js';

const variants = [
  { name: 'control', weight: 70 },
  { name: 'shorter', weight: 20 },
  { name: 'longer', weight: 10 },
];
const ids = Array.from({ length: 10_000 }, (_, i) => `req-${i}`);

function assign(): string[] {
  return ids.map((id) => chooseVariant(id, variants)?.name ?? 'none');
}

describe('chooseVariant', () => {
  it('matches the weights within 2 percentage points over 10,000 request ids', () => {
    const counts = new Map<string, number>();
    for (const name of assign()) counts.set(name, (counts.get(name) ?? 0) + 1);
    for (const { name, weight } of variants) {
      const share = ((counts.get(name) ?? 0) / ids.length) * 100;
      assert.ok(Math.abs(share - weight) <= 2, `${name}: ${share.toFixed(2)}% for weight ${weight}%`);
    }
  });

  it('gives the same request id the same variant every time', () => {
    assert.deepEqual(assign(), assign());
  });

  it('is stable across processes and releases (the hash is part of the contract)', () => {
    assert.deepEqual(
      ids.slice(0, 8).map((id) => chooseVariant(id, variants)?.name),
      ['shorter', 'control', 'control', 'shorter', 'shorter', 'control', 'longer', 'control'],
    );
  });

  it('never picks a variant of weight 0, and picks nothing when no weight is positive', () => {
    const withOff = [
      { name: 'on', weight: 1 },
      { name: 'off', weight: 0 },
    ];
    assert.ok(ids.slice(0, 1000).every((id) => chooseVariant(id, withOff)?.name === 'on'));
    assert.equal(chooseVariant('r', [{ name: 'off', weight: 0 }]), undefined);
    assert.equal(chooseVariant('r', []), undefined);
  });

  it('hashes into [0, 1)', () => {
    for (const id of ids.slice(0, 1000)) {
      const x = hashToUnit(id);
      assert.ok(x >= 0 && x < 1);
    }
  });
});
