// Proves the explorer can fail: each deliberately broken journal variant is caught by the layer
// meant to catch it (crash images, bit flips, or faults at call sites).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { enableDeliberateBug } from '../../src/journal/deliberate-bugs.js';
import type { DeliberateBug } from '../../src/journal/deliberate-bugs.js';
import { exploreBitFlips } from './bit-flips.js';
import { CI_OPTIONS, exploreWorkload } from './explore.js';
import type { Failure } from './explore.js';
import { exploreFaults } from './fault-matrix.js';
import type { FaultCase } from './fault-matrix.js';
import { LEVELS, standardWorkloads } from './workloads.js';
import type { Workload } from './workloads.js';

const SEED = 12345;

function workload(level: string, name: string): Workload {
  const found = LEVELS.find((l) => l.label === level);
  assert.ok(found !== undefined);
  const chosen = standardWorkloads(found.label, found.durability).find((w) => w.name.endsWith(`/${name}`));
  assert.ok(chosen !== undefined);
  return chosen;
}

async function withBug(bug: DeliberateBug, explore: (failures: Failure[]) => Promise<unknown>): Promise<Failure[]> {
  const failures: Failure[] = [];
  enableDeliberateBug(bug);
  try {
    await explore(failures);
  } finally {
    enableDeliberateBug(undefined);
  }
  return failures;
}

const everyDatasync: FaultCase[] = [1, 2, 3, 4, 5, 6].map((nth) => ({ op: 'datasync', nth, error: 'EIO', mode: 'once' }));
const everyWrite: FaultCase[] = [2, 3, 4, 5, 6].map((nth) => ({ op: 'write', nth, error: 'short-write', mode: 'once' }));

test('acknowledging before the fdatasync is caught by the crash images', async () => {
  const failures = await withBug('ack-before-sync', (f) => exploreWorkload(workload('immediate', 'appends'), { seed: SEED, ...CI_OPTIONS }, f));
  assert.ok(failures.length > 0);
  assert.match(failures[0]?.text ?? '', /acknowledged/);
});

test('skipping the directory fsync of a new segment is caught by the crash images', async () => {
  const failures = await withBug('skip-segment-directory-sync', (f) =>
    exploreWorkload(workload('immediate', 'rotation-retention'), { seed: SEED, ...CI_OPTIONS }, f),
  );
  assert.ok(failures.length > 0);
});

test('truncating at any checksum error is caught by the bit flips', async () => {
  const failures = await withBug('truncate-on-checksum-error', (f) => exploreBitFlips(workload('immediate', 'appends'), SEED, 40, 2, f));
  assert.ok(failures.length > 0);
  assert.match(failures[0]?.text ?? '', /not reported|corruption/);
});

test('retrying a failed fdatasync is caught by the faults at call sites', async () => {
  const failures = await withBug('retry-failed-sync', (f) => exploreFaults(workload('immediate', 'appends'), SEED, f, everyDatasync));
  assert.ok(failures.length > 0);
  assert.match(failures[0]?.text ?? '', /acknowledged after the injected fault/);
});

test('ignoring a short write is caught by the faults at call sites', async () => {
  const failures = await withBug('ignore-short-write', (f) => exploreFaults(workload('immediate', 'appends'), SEED, f, everyWrite));
  assert.ok(failures.length > 0);
  assert.match(failures[0]?.text ?? '', /acknowledged after the injected fault/);
});

test('with no bug enabled the same explorations find nothing', async () => {
  const failures: Failure[] = [];
  await exploreFaults(workload('immediate', 'appends'), SEED, failures, [...everyDatasync, ...everyWrite]);
  await exploreBitFlips(workload('immediate', 'appends'), SEED, 40, 2, failures);
  assert.deepEqual(failures.map((f) => f.text), []);
});
