// Proves the filter of stored addresses never rules out an address it was given, rules out most
// others, and keeps doing both as it grows layer by layer past its first layer's capacity.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom, seedFromEnv } from '../../test/support/random.js';
import { AddressFilter } from './address-filter.js';
import { KnownAddresses } from './known-addresses.js';

function randomAddresses(count: number, seed: number): Uint8Array[] {
  const random = createRandom(seed);
  return Array.from({ length: count }, () => {
    const address = new Uint8Array(32);
    for (let i = 0; i < 32; i++) address[i] = random.nextInt(256);
    return address;
  });
}

test('a filter holds every address added and rules out nearly all others', (t) => {
  const seed = seedFromEnv();
  t.diagnostic(`seed ${seed} (replay with STEMEDB_SEED=${seed})`);
  const added = randomAddresses(20_000, seed);
  const others = randomAddresses(20_000, seed + 1);
  const filter = new AddressFilter(20_000);
  for (const address of added) filter.add(address);
  for (const address of added) assert.equal(filter.mayHold(address), true);
  const falsePositives = others.filter((address) => filter.mayHold(address)).length;
  t.diagnostic(`${falsePositives} false positives in ${others.length}`);
  // Sized at 16 bits and 7 probes per address: about 0.07% expected (14 of 20,000).
  assert.ok(falsePositives < others.length * 0.005, `${falsePositives} false positives`);
});

test('the layered filter grows past its first capacity and never loses an address', (t) => {
  const seed = seedFromEnv();
  t.diagnostic(`seed ${seed} (replay with STEMEDB_SEED=${seed})`);
  const known = new KnownAddresses();
  known.reset(1000);
  const firstBytes = known.bytes;
  const added = randomAddresses(15_000, seed);
  for (const address of added) known.add(address);
  for (const address of added) assert.equal(known.mayHold(address), true);
  assert.ok(known.bytes > 10 * firstBytes, `layers added: ${known.bytes} bytes`);
  const others = randomAddresses(20_000, seed + 1);
  const falsePositives = others.filter((address) => known.mayHold(address)).length;
  t.diagnostic(`${falsePositives} false positives in ${others.length}, ${known.bytes} bytes`);
  // Four full layers, each about 0.07%.
  assert.ok(falsePositives < others.length * 0.02, `${falsePositives} false positives`);
});

test('a scan fills the first layer: nothing is ruled out before it finishes, nor lost after', () => {
  const [stored, appliedDuringScan, never] = randomAddresses(3, 11) as [
    Uint8Array,
    Uint8Array,
    Uint8Array,
  ];
  const known = new KnownAddresses();
  const layer = known.beginScan(100);
  known.add(appliedDuringScan);
  assert.equal(known.mayHold(never), true, 'before the scan ends every address may be held');
  layer.add(stored);
  known.finishScan(layer);
  assert.equal(known.mayHold(stored), true);
  assert.equal(known.mayHold(appliedDuringScan), true);
  assert.equal(known.mayHold(never), false);
  // A reset abandons a scan in progress: its end changes nothing.
  const abandoned = known.beginScan(100);
  known.reset(100);
  known.finishScan(abandoned);
  assert.equal(known.isScanning(abandoned), false);
  assert.equal(known.mayHold(stored), false, 'the store was emptied');
});

test('an address of the wrong length is a programmer error', () => {
  const filter = new AddressFilter(10);
  assert.throws(() => filter.add(new Uint8Array(31)), { code: 'ERR_ASSERTION' });
  assert.throws(() => filter.mayHold(new Uint8Array(33)), { code: 'ERR_ASSERTION' });
});
