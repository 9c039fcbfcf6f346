/**
 * Drives the real-fault layer: builds scenarios, runs them in children with the fault library
 * preloaded (several scenarios per child, each in its own journal directory, so the layer stays
 * cheap), checks each with `checkScenario`, and tallies which calls the faults hit.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Random } from '../support/random.js';
import { makeTempDir } from '../support/temp-dir.js';
import { checkScenario, splitTranscripts } from './fault-check.js';
import type { InjectedFault, ScenarioCheck } from './fault-check.js';
import { preloadEnv, runNodeChild } from './fault-library.js';
import type { FaultKind, FaultScenario } from './fault-workload.js';

const SCENARIOS_PER_CHILD = 20;
const CHILD = fileURLToPath(new URL('./fault-child.ts', import.meta.url));

/** Scenario `i` of a kind: the first few fail the calls a journal makes while opening. */
export function makeScenario(
  random: Random,
  kind: FaultKind,
  i: number,
  directory: string,
): FaultScenario {
  const level = random.nextInt(3) === 0 ? 'batched' : 'immediate';
  const openingCalls = kind === 'sync' ? 3 : 1;
  const reach = level === 'batched' && kind === 'sync' ? 12 : 30;
  return {
    directory,
    kind,
    nth: i < 2 * openingCalls ? 1 + (i % openingCalls) : 1 + random.nextInt(reach),
    mode: random.nextInt(2) === 0 ? 'once' : 'forever',
    level,
    batchMaxWrites: 1 + random.nextInt(6),
    batchMaxDelayMs: random.nextInt(3),
    maxSegmentBytes: [4096, 4096, 8192, 65536][random.nextInt(4)] as number,
    concurrency: 1 + random.nextInt(8),
    records: 400,
    sizeSeed: random.nextUint32(),
    abandon: random.nextInt(4) === 0,
  };
}

/** Runs `scenarios` in children with the library preloaded and checks every one. */
export async function runScenarios(
  t: TestContext,
  libraryPath: string,
  scenarios: FaultScenario[],
  env: NodeJS.ProcessEnv = {},
): Promise<ScenarioCheck[]> {
  const root = makeTempDir(t, 'stemedb-faults-');
  const checks: ScenarioCheck[] = [];
  for (let from = 0; from < scenarios.length; from += SCENARIOS_PER_CHILD) {
    const batch = scenarios.slice(from, from + SCENARIOS_PER_CHILD);
    for (const scenario of batch) fs.mkdirSync(scenario.directory, { recursive: true });
    const plan = path.join(root, `scenarios-${from}.json`);
    fs.writeFileSync(plan, JSON.stringify(batch));
    const output = await runNodeChild(CHILD, [plan], { ...preloadEnv(libraryPath), ...env });
    const how = output.signal ?? output.code;
    assert.equal(output.code, 0, `the fault child failed (${how}):\n${output.stderr}`);
    const transcripts = splitTranscripts(output.lines, batch.length);
    for (const [i, scenario] of batch.entries()) {
      checks.push(await checkScenario(scenario, transcripts[i] as (typeof transcripts)[number]));
    }
  }
  return checks;
}

/** `label: count` lines of what the faults hit, for the test's diagnostics. */
export function tallyFaults(checks: ScenarioCheck[]): Map<string, number> {
  const tally = new Map<string, number>();
  const add = (label: string): void => void tally.set(label, (tally.get(label) ?? 0) + 1);
  for (const check of checks) {
    for (const fault of check.faults) add(faultLabel(fault));
    if (check.faults.length === 0) add('scenarios where the fault was never reached');
  }
  return tally;
}

function faultLabel(fault: InjectedFault): string {
  if (fault.failure === 'enospc') return 'ENOSPC after a short write';
  if (fault.failure === 'short') {
    return fault.bytes === 32 ? 'short write of a segment header' : 'short write of records';
  }
  if (!fault.path.endsWith('.wal')) return 'failed directory fsync';
  if (fault.call === 'fsync') return 'failed segment header fsync';
  const rotated = !path.basename(fault.path).startsWith('0000000000000000');
  return rotated ? 'failed fdatasync of a later segment' : 'failed fdatasync of the first segment';
}

export function countOf(tally: Map<string, number>, prefix: string): number {
  let total = 0;
  for (const [label, count] of tally) if (label.startsWith(prefix)) total += count;
  return total;
}
