// Keeps the journal bugs the explorer found fixed, replaying the exact seeds and faults that
// exposed them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CI_OPTIONS, exploreWorkload } from './explore.js';
import { exploreFaults } from './fault-matrix.js';
import type { Failure } from './explore.js';
import { LEVELS, standardWorkloads } from './workloads.js';

const immediate = LEVELS[0];
assert.ok(immediate !== undefined);
const concurrentReopen = standardWorkloads(immediate.label, immediate.durability).find((w) => w.name.endsWith('concurrent-reopen'));
assert.ok(concurrentReopen !== undefined);

test('a journal reopened in-process after a failed fdatasync writes its unproven tail again (seed 11)', async () => {
  const failures: Failure[] = [];
  await exploreFaults(concurrentReopen, 11, failures, [
    { op: 'datasync', nth: 2, error: 'EIO', mode: 'once' },
    { op: 'datasync', nth: 3, error: 'EIO', mode: 'once' },
  ]);
  assert.deepEqual(failures.map((f) => f.text), []);
});

test('a journal reopened after its segment header sync failed syncs the segment directory (seed 11)', async () => {
  const failures: Failure[] = [];
  await exploreFaults(concurrentReopen, 11, failures, [
    { op: 'sync', nth: 1, error: 'EIO', mode: 'forever' },
    { op: 'sync', nth: 1, error: 'ENOSPC', mode: 'once' },
  ]);
  assert.deepEqual(failures.map((f) => f.text), []);
});

test('retention that removes several segments never leaves a gap a crash could expose (seed 631219346)', async () => {
  const rotation = standardWorkloads(immediate.label, immediate.durability).find((w) => w.name.endsWith('rotation-retention'));
  assert.ok(rotation !== undefined);
  const failures: Failure[] = [];
  await exploreWorkload(rotation, { seed: 631219346, ...CI_OPTIONS }, failures);
  assert.deepEqual(failures.map((f) => f.text), []);
});
