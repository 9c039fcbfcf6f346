// Proves that at every operation boundary of the standard workloads under immediate, every crash
// image the fault model allows recovers, twice, to a log that meets the oracle.
import { test } from 'node:test';
import { runCrashSuite } from './crash-suite.js';

test('every crash image of the immediate workloads recovers to a prefix holding every acknowledged record', async (t) => {
  await runCrashSuite(t, ['immediate'], 4);
});
