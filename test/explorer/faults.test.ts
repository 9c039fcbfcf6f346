// Proves that a write, fdatasync, fsync, directory fsync or rename failing at any call site of the
// standard workloads (EIO, ENOSPC, short write; once and forever) stops acknowledgements until the
// journal is reopened, and that every crash image afterwards recovers every acknowledged record.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seedFromEnv } from '../support/random.js';
import { selectWorkloads } from './explore.js';
import type { Failure } from './explore.js';
import { exploreFaults, faultCases } from './fault-matrix.js';
import type { FaultStats } from './fault-matrix.js';
import { LEVELS, standardWorkloads } from './workloads.js';

test('a fault at every call site stops acknowledgements and loses nothing acknowledged', async (t) => {
  const seed = seedFromEnv();
  const failures: Failure[] = [];
  const total: FaultStats = { runs: 0, fired: 0, imagesChecked: 0, skippedReopenAfterDirectorySyncFailure: 0 };
  for (const level of LEVELS.filter((l) => ['immediate', 'batched-8', 'eventual'].includes(l.label))) {
    for (const workload of selectWorkloads(standardWorkloads(level.label, level.durability))) {
      const stats = await exploreFaults(workload, seed, failures, await faultCases(workload, seed));
      total.runs += stats.runs;
      total.fired += stats.fired;
      total.imagesChecked += stats.imagesChecked;
      total.skippedReopenAfterDirectorySyncFailure += stats.skippedReopenAfterDirectorySyncFailure;
    }
  }
  t.diagnostic(`seed ${seed}: ${total.runs} fault runs, ${total.fired} fired, ${total.imagesChecked} crash images checked after them; ${total.skippedReopenAfterDirectorySyncFailure} reopen-after-failed-directory-fsync runs checked at run time only`);
  assert.equal(failures.length, 0, `\n${failures.map((f) => f.text).join('\n\n')}`);
  assert.equal(total.fired, total.runs, 'every call site of the clean trace is reached under its fault');
});
