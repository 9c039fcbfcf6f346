// Proves the real-fault layers can fail: the same checks that pass on the healthy journal report
// violations when the journal is deliberately broken (src/journal/deliberate-bugs.ts) — the
// preloaded-fault check catches a retried failed fsync and an ignored short write, the strace
// audit catches acknowledging before fdatasync and skipping a new segment's directory fsync.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { DeliberateBug } from '../../src/journal/deliberate-bugs.js';
import { createRandom, replayHint, seedFromEnv } from '../support/random.js';
import { makeTempDir } from '../support/temp-dir.js';
import { prepareFaultLibrary } from './fault-library.js';
import { makeScenario, runScenarios } from './fault-runner.js';
import type { FaultKind, FaultScenario } from './fault-workload.js';
import { DELIBERATE_BUG_ENV } from './fault-workload.js';
import { checkSyncOrder } from './sync-order-check.js';
import { straceUnavailable, traceNodeChild } from './syscall-trace.js';

const SCENARIOS_PER_BUG = 8;
/** Enough appends to reach the aimed call even when every append costs its own sync. */
const AIMED_RECORDS = 80;
const AUDIT_RECORDS = 40;
const AUDIT_CHILD = fileURLToPath(new URL('./audit-child.ts', import.meta.url));
const library = prepareFaultLibrary();
const noStrace = straceUnavailable();

interface BugCase {
  bug: DeliberateBug;
  /** A violation the layer must report for this bug. */
  expected: RegExp;
}

const PRELOAD_CASES: Array<BugCase & { kind: FaultKind }> = [
  { bug: 'retry-failed-sync', kind: 'sync', expected: /acknowledged after the injected failure/ },
  {
    bug: 'ignore-short-write',
    kind: 'write',
    expected: /does not reopen|missing after reopen|not the one issued|reopened journal failed/,
  },
];

const AUDIT_CASES: BugCase[] = [
  { bug: 'ack-before-sync', expected: /^ack \d+: its record ends at byte \d+ of .*, synced only/ },
  {
    bug: 'skip-segment-directory-sync',
    expected: /before the directory was fsynced after its creation/,
  },
];

/**
 * Scenarios aimed past the journal's opening calls at record writes and syncs, failing once, so
 * a broken journal that carries on has appends left to acknowledge.
 */
function aimedScenarios(seed: number, kind: FaultKind, root: string): FaultScenario[] {
  const random = createRandom(seed);
  return Array.from({ length: SCENARIOS_PER_BUG }, (_, i) => ({
    ...makeScenario(random, kind, SCENARIOS_PER_BUG + i, path.join(root, `journal-${i}`)),
    nth: (kind === 'sync' ? 4 : 2) + random.nextInt(12),
    concurrency: 1 + random.nextInt(3),
    records: AIMED_RECORDS,
    mode: 'once' as const,
    level: 'immediate' as const,
    abandon: false,
  }));
}

/** The violations `checkScenario` reports for `scenarios`, healthy or with `bug` enabled. */
async function preloadViolations(
  t: TestContext,
  scenarios: FaultScenario[],
  bug?: DeliberateBug,
): Promise<string[]> {
  assert.ok(library.ok);
  const env = bug === undefined ? {} : { [DELIBERATE_BUG_ENV]: bug };
  const checks = await runScenarios(t, library.path, scenarios, env);
  assert.ok(checks.some((check) => check.faults.length > 0), 'no fault was injected');
  return checks.flatMap((check) => check.violations);
}

for (const { bug, kind, expected } of PRELOAD_CASES) {
  const skip = library.ok ? false : library.skip;
  const name = `the preloaded-fault check passes the healthy journal and catches '${bug}'`;
  test(name, { skip }, async (t) => {
    const seed = seedFromEnv();
    const root = makeTempDir(t, 'stemedb-bugs-');
    const scenariosIn = (dir: string): FaultScenario[] =>
      aimedScenarios(seed, kind, path.join(root, dir));
    const healthy = await preloadViolations(t, scenariosIn('healthy'));
    assert.deepEqual(healthy, [], `healthy journal, seed ${seed} (${replayHint(seed)})`);
    const broken = await preloadViolations(t, scenariosIn('broken'), bug);
    const caught = broken.find((violation) => expected.test(violation));
    const found = `${broken.length} violations in ${SCENARIOS_PER_BUG} scenarios`;
    t.diagnostic(`'${bug}': ${found}, e.g. ${caught}`);
    assert.ok(caught !== undefined,
      `'${bug}' went unnoticed, seed ${seed} (${replayHint(seed)}): ${broken.join('; ')}`);
  });
}

/** The violations `checkSyncOrder` reports for one traced run, healthy or with `bug` enabled. */
async function auditViolations(t: TestContext, bug?: DeliberateBug): Promise<string[]> {
  const dir = fs.realpathSync(makeTempDir(t, 'stemedb-audit-'));
  const env = bug === undefined ? process.env : { ...process.env, [DELIBERATE_BUG_ENV]: bug };
  const trace = path.join(dir, 'trace.log');
  const events = await traceNodeChild(AUDIT_CHILD, [dir, String(AUDIT_RECORDS)], trace, env);
  const audit = checkSyncOrder(events, path.join(dir, 'journal'), path.join(dir, 'state.json'));
  assert.equal(audit.acknowledged, AUDIT_RECORDS);
  return audit.violations;
}

test('the strace audit passes the healthy journal', { skip: noStrace ?? false }, async (t) => {
  assert.deepEqual(await auditViolations(t), []);
});

for (const { bug, expected } of AUDIT_CASES) {
  test(`the strace audit catches '${bug}'`, { skip: noStrace ?? false }, async (t) => {
    const violations = await auditViolations(t, bug);
    const caught = violations.find((violation) => expected.test(violation));
    t.diagnostic(`'${bug}': ${violations.length} violations, e.g. ${caught}`);
    assert.ok(caught !== undefined,
      `'${bug}' went unnoticed: ${violations.join('; ') || 'no violations'}`);
  });
}
