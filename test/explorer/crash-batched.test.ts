// Proves that at every operation boundary of the standard workloads under batched (maxWrites 1, 8,
// 64), every crash image the fault model allows recovers, twice, to a log that meets the oracle.
import { test } from 'node:test';
import { runCrashSuite } from './crash-suite.js';

test('every crash image of the batched workloads recovers to a prefix holding every acknowledged record', async (t) => {
  await runCrashSuite(t, ['batched-1', 'batched-8', 'batched-64'], 1);
});
