// Proves that every single bit flipped in synced journal data is detected and never served: a
// CorruptionError where the log proves the bytes durable, a reported quarantine where it cannot,
// and a CorruptionError when read where the journal's checkpoint spares the bytes from the open.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seedFromEnv } from '../support/random.js';
import { exploreBitFlips } from './bit-flips.js';
import type { FlipStats } from './bit-flips.js';
import { SOAK, selectWorkloads } from './explore.js';
import type { Failure } from './explore.js';
import { LEVELS, standardWorkloads } from './workloads.js';

const FLIPS_PER_IMAGE = SOAK ? 400 : 40;

test('every bit flipped in synced data is reported as corruption or quarantined, never served', async (t) => {
  const seed = seedFromEnv();
  const failures: Failure[] = [];
  const total: FlipStats = { flips: 0, expectedCorruption: 0, expectedTail: 0, expectedAtRead: 0, withRepair: 0 };
  for (const level of LEVELS) {
    for (const workload of selectWorkloads(standardWorkloads(level.label, level.durability))) {
      const stats = await exploreBitFlips(workload, seed, FLIPS_PER_IMAGE, 2, failures);
      total.flips += stats.flips;
      total.expectedCorruption += stats.expectedCorruption;
      total.expectedTail += stats.expectedTail;
      total.expectedAtRead += stats.expectedAtRead;
      total.withRepair += stats.withRepair;
    }
  }
  t.diagnostic(`seed ${seed}: ${total.flips} bit flips, ${total.expectedCorruption} in data the log proves durable (CorruptionError), ${total.expectedTail} in its unproven tail (quarantined), ${total.expectedAtRead} before a checkpoint (CorruptionError when read), ${total.withRepair} opened with repair`);
  assert.equal(failures.length, 0, `\n${failures.map((f) => f.text).join('\n\n')}`);
  assert.ok(total.expectedCorruption > 0 && total.expectedTail > 0 && total.expectedAtRead > 0);
});
