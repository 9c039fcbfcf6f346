/**
 * Fault at every call site: the k-th write, fdatasync, fsync, directory sync and rename of a
 * standard workload fails (EIO, ENOSPC, or a short write), once or from then on. While the workload
 * runs, nothing may be acknowledged after a fault on the journal's write path until the journal is
 * reopened (invariants 7, 8); afterwards every crash image of the final state recovers every
 * acknowledged record (1–3) and the atomically replaced file is whole (9).
 */
import { createRandom } from '../support/random.js';
import type { Fault, FaultError, FaultOperation, Operation } from '../support/sim-fs/index.js';
import { formatOperation } from '../support/sim-fs/index.js';
import { describeFailure, runWorkload, verifyImage } from './explore.js';
import type { Failure } from './explore.js';
import { JOURNAL_DIRECTORY } from './oracle.js';
import type { Workload, WorkloadContext } from './workloads.js';

export const FAULTED_OPERATIONS: readonly FaultOperation[] = ['write', 'datasync', 'sync', 'syncDirectory', 'rename'];

export interface FaultStats {
  runs: number;
  fired: number;
  imagesChecked: number;
  skippedReopenAfterDirectorySyncFailure: number;
}

export interface FaultCase {
  readonly op: FaultOperation;
  readonly nth: number;
  readonly error: FaultError;
  readonly mode: 'once' | 'forever';
}

/** Every (operation, k, error, mode) the workload's clean trace offers. */
export async function faultCases(workload: Workload, seed: number): Promise<FaultCase[]> {
  const clean = await runWorkload(workload, createRandom(seed));
  const cases: FaultCase[] = [];
  for (const op of FAULTED_OPERATIONS) {
    const count = clean.sim.log.entries.filter((entry) => entry.kind === op).length;
    const errors: FaultError[] = op === 'write' ? ['EIO', 'ENOSPC', 'short-write'] : ['EIO', 'ENOSPC'];
    for (let nth = 1; nth <= count; nth++) {
      for (const error of errors) {
        for (const mode of ['once', 'forever'] as const) cases.push({ op, nth, error, mode });
      }
    }
  }
  return cases;
}

/**
 * The reason acknowledgements are forbidden once `fault` fired on the journal's write path: a
 * segment file's write or sync, or the directory sync that makes a new segment's entry durable.
 */
function fatalFault(context: WorkloadContext, fault: Fault): () => string | undefined {
  let fatal: Operation | undefined;
  return () => {
    // A successful reopen after the fault lifts the ban: recovery starts from what is on disk.
    if (fatal !== undefined) return fatal.seq > context.openedAfterSeq ? `the injected fault ${formatOperation(fatal)}` : undefined;
    if (fault.firedCount === 0) return undefined;
    const entries = context.fs.sim.log.entries;
    const fired = entries.find(
      (entry) =>
        entry.kind === fault.spec.op &&
        (entry.error !== undefined || (entry.kind === 'write' && entry.written < entry.length)),
    );
    if (fired === undefined) return undefined;
    const previous = entries[fired.seq - 2];
    const onSegment = fired.path.endsWith('.wal') && fired.kind !== 'syncDirectory';
    const newSegmentEntry =
      fired.kind === 'syncDirectory' &&
      fired.path === JOURNAL_DIRECTORY &&
      previous?.kind === 'close' &&
      previous.path.endsWith('.wal');
    if (!onSegment && !newSegmentEntry) return undefined;
    fatal = fired;
    return fired.seq > context.openedAfterSeq ? `the injected fault ${formatOperation(fired)}` : undefined;
  };
}

/** Runs every fault case of `workload`; violations go to `failures` (at most a few). */
export async function exploreFaults(
  workload: Workload,
  seed: number,
  failures: Failure[],
  cases: readonly FaultCase[],
): Promise<FaultStats> {
  const stats: FaultStats = { runs: 0, fired: 0, imagesChecked: 0, skippedReopenAfterDirectorySyncFailure: 0 };
  for (const fault of cases) {
    if (failures.length >= 3) break;
    let armed: Fault | undefined;
    const run = await runWorkload(workload, createRandom(seed), undefined, (context) => {
      context.tolerateOpenFailure = true;
      armed = context.fs.sim.failAt(fault);
      context.oracle.ackGuard = fatalFault(context, armed);
    });
    stats.runs++;
    if ((armed?.firedCount ?? 0) > 0) stats.fired++;
    const label = `${fault.error} at ${fault.op} #${fault.nth}, ${fault.mode}`;
    const problems = [...run.context.oracle.violations];
    run.sim.clearFaults();
    if (reopenedAfterFailedDirectorySync(run.context, fault)) {
      // Known gap, reported to the lead: under the model's pessimistic reading a failed directory
      // fsync drops the pending entries for good, and a reopen in the same process cannot bring
      // them back (that needs the entries re-created). Only the run-time rules are checked here.
      stats.skippedReopenAfterDirectorySyncFailure++;
      if (problems.length > 0) failures.push({ text: describeFailure(workload, seed, run.sim, run.sim.log.lastSeq, `fault: ${label}`, problems) });
      continue;
    }
    const expectation = run.context.oracle.snapshot();
    for (const image of run.sim.crashImages({ kinds: ['dropped', 'persisted'] })) {
      stats.imagesChecked++;
      const outcome = await verifyImage(image.fs, expectation, run.context.oracle, true);
      problems.push(...outcome.problems.map((p) => `after reopen (${image.kind} image): ${p}`));
    }
    if (problems.length > 0) {
      failures.push({ text: describeFailure(workload, seed, run.sim, run.sim.log.lastSeq, `fault: ${label}`, problems) });
    }
  }
  return stats;
}

function reopenedAfterFailedDirectorySync(context: WorkloadContext, fault: FaultCase): boolean {
  if (fault.op !== 'syncDirectory') return false;
  const failed = context.fs.sim.log.entries.find((entry) => entry.kind === 'syncDirectory' && entry.error !== undefined);
  return failed !== undefined && context.openedAfterSeq > failed.seq;
}
