// Proves with real system calls failed under a running journal (a preloaded library makes fsync,
// fdatasync and writes fail for the journal's files) that no append is acknowledged after a failed
// sync or a short write, the failure surfaces as a typed error, and the reopened journal holds
// every acknowledged record as one contiguous prefix of what was issued.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { createRandom, replayHint, seedFromEnv } from '../support/random.js';
import { makeTempDir } from '../support/temp-dir.js';
import { prepareFaultLibrary } from './fault-library.js';
import { countOf, makeScenario, runScenarios, tallyFaults } from './fault-runner.js';

const SOAK = process.env.STEMEDB_SOAK === '1';
const SCENARIOS_PER_KIND = SOAK ? 600 : 60;
const FAULTS_REQUIRED = SOAK ? 500 : 50;
const library = prepareFaultLibrary();
const skip = library.ok ? false : library.skip;

for (const kind of ['sync', 'write'] as const) {
  const what = kind === 'sync' ? 'failed fsync/fdatasync' : 'short write followed by ENOSPC';
  const name = `after a real ${what}, nothing more is acknowledged and the reopened journal ` +
    'holds every acknowledged record';
  test(name, { skip }, async (t) => {
    assert.ok(library.ok);
    const seed = seedFromEnv();
    t.diagnostic(`seed ${seed} (${replayHint(seed)})`);
    const random = createRandom(seed);
    const root = makeTempDir(t, 'stemedb-journals-');
    const scenarios = Array.from({ length: SCENARIOS_PER_KIND }, (_, i) =>
      makeScenario(random, kind, i, path.join(root, `journal-${i}`)));
    const checks = await runScenarios(t, library.path, scenarios);
    const failures = checks.flatMap((check, i) =>
      check.violations.map((violation) => `scenario ${i}: ${violation}`));
    assert.deepEqual(failures, [], `seed ${seed}: ${replayHint(seed)}`);
    const tally = tallyFaults(checks);
    for (const [label, count] of [...tally].sort()) t.diagnostic(`${label}: ${count}`);
    const acknowledged = checks.reduce((sum, check) => sum + check.acknowledged, 0);
    t.diagnostic(`${checks.length} scenarios, ${acknowledged} acknowledged appends, all recovered`);
    const injected = kind === 'sync' ? countOf(tally, 'failed') : countOf(tally, 'short write');
    assert.ok(injected >= FAULTS_REQUIRED, `only ${injected} faults injected (seed ${seed})`);
    const required = kind === 'sync'
      ? [
        'failed directory fsync',
        'failed segment header fsync',
        'failed fdatasync of a later segment',
      ]
      : ['short write of a segment header', 'short write of records'];
    for (const label of required) {
      assert.ok((tally.get(label) ?? 0) > 0, `no ${label} (seed ${seed})`);
    }
  });
}
