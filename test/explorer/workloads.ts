/**
 * The standard workloads the explorer drives the journal through on the simulated file system,
 * and the context that runs them while keeping the oracle's model in step.
 *
 * Batched levels use a `maxDelayMs` far beyond any test's length, so only `maxWrites`, `sync()` and
 * `close()` decide when a sync happens and every run of a workload is the same trace.
 */
import type { DurabilityKind, DurabilityOption } from '../../src/durability/index.js';
import { DurabilityLevel, atomicWrite } from '../../src/durability/index.js';
import { Journal } from '../../src/journal/index.js';
import { SEGMENT_MIN_MAX_BYTES } from '../../src/limits.js';
import type { Random } from '../support/random.js';
import type { BoundaryFileSystem } from './boundary-file-system.js';
import { ATOMIC_DIRECTORY, ATOMIC_FILE, JOURNAL_DIRECTORY, Oracle } from './oracle.js';
import type { RecoveredRecord } from './oracle.js';

/** A batch delay no test reaches (below 2^31 ms, where Node's timers would overflow to 1 ms). */
const NEVER_MS = 2_000_000_000;

export interface Workload {
  readonly name: string;
  readonly durability: DurabilityOption;
  readonly maxSegmentBytes?: number;
  readonly run: (context: WorkloadContext) => Promise<void>;
}

export function durabilityKind(option: DurabilityOption): DurabilityKind {
  return typeof option === 'string' ? option : option.kind;
}

export async function readRecords(journal: Journal): Promise<RecoveredRecord[]> {
  const records: RecoveredRecord[] = [];
  for await (const record of journal.iterate()) {
    records.push({ offset: record.offset, nextOffset: record.nextOffset, payload: record.payload });
  }
  return records;
}

export class WorkloadContext {
  readonly fs: BoundaryFileSystem;
  readonly oracle: Oracle;
  readonly random: Random;
  readonly workload: Workload;
  /** In fault runs a reopen may fail for good (a fault armed forever); elsewhere that is a violation. */
  tolerateOpenFailure = false;
  journal: Journal | undefined;
  /** The last operation of the trace before the journal was last opened successfully. */
  openedAfterSeq = 0;

  constructor(fs: BoundaryFileSystem, workload: Workload, random: Random) {
    this.fs = fs;
    this.workload = workload;
    this.random = random;
    this.oracle = new Oracle(durabilityKind(workload.durability));
  }

  /** Opens the journal; after a reopen the recovered log must meet the oracle and becomes history. */
  async open(): Promise<void> {
    const expectation = this.oracle.snapshot();
    let journal: Journal;
    try {
      journal = await Journal.open(JOURNAL_DIRECTORY, {
        durability: this.workload.durability,
        fileSystem: this.fs,
        lock: false,
        ...(this.workload.maxSegmentBytes === undefined ? {} : { maxSegmentBytes: this.workload.maxSegmentBytes }),
      });
    } catch (error) {
      this.journal = undefined;
      if (!this.tolerateOpenFailure) this.oracle.violations.push(`reopen failed: ${String(error)}`);
      return;
    }
    const records = await readRecords(journal);
    const problems = this.oracle.checkLog(expectation, records, journal.recoveryReport);
    for (const problem of problems) this.oracle.violations.push(`on reopen in process: ${problem}`);
    this.oracle.rebase(records);
    this.journal = journal;
    this.openedAfterSeq = this.fs.sim.log.lastSeq;
  }

  /** `count` appends, each awaited before the next. */
  async append(count: number, sizeBytes?: number): Promise<void> {
    for (let i = 0; i < count; i++) await this.#appendOne(sizeBytes ?? this.#size());
  }

  /** `count` appends issued at once (one group commit), then awaited together. */
  async burst(count: number): Promise<void> {
    const pending: Promise<void>[] = [];
    for (let i = 0; i < count; i++) pending.push(this.#appendOne(this.#size()));
    await Promise.all(pending);
  }

  /** `writers` concurrent loops of `each` awaited appends. */
  async concurrent(writers: number, each: number): Promise<void> {
    const loops: Promise<void>[] = [];
    for (let w = 0; w < writers; w++) loops.push(this.append(each));
    await Promise.all(loops);
  }

  async sync(): Promise<void> {
    const journal = this.journal;
    if (journal === undefined) return;
    const issued = this.oracle.issuedCount;
    try {
      await journal.sync();
      this.oracle.acknowledgeSync(issued, `sync() of ${issued} records`);
    } catch (error) {
      this.oracle.noteFailure(error);
    }
  }

  /** Closes; a close that resolves on a journal not known to have failed promises everything. */
  async close(): Promise<void> {
    const journal = this.journal;
    if (journal === undefined) return;
    this.journal = undefined;
    const issued = this.oracle.issuedCount;
    const failedBefore = this.oracle.failed;
    try {
      await journal.close();
      if (!failedBefore) this.oracle.acknowledgeSync(issued, `close() of ${issued} records`);
    } catch (error) {
      this.oracle.noteFailure(error);
    }
  }

  async reopen(): Promise<void> {
    await this.close();
    await this.open();
  }

  /** Retention below the last acknowledged record's offset. */
  async retain(): Promise<void> {
    const journal = this.journal;
    if (journal === undefined) return;
    let target: number | undefined;
    for (let i = this.oracle.issuedCount - 1; i >= 0 && target === undefined; i--) target = this.oracle.offsetOf(i);
    if (target === undefined) return;
    this.oracle.retire(target);
    this.fs.sim.log.note('retention begin');
    try {
      await journal.removeSegmentsBelow(target);
    } catch {
      // A failed removal leaves segments in place, which retention allows.
    } finally {
      this.fs.sim.log.note('retention end');
    }
  }

  /** Creates the directory of the atomically replaced file, durably. */
  prepareAtomic(): void {
    try {
      this.fs.mkdir(ATOMIC_DIRECTORY);
      this.fs.syncDirectory(JOURNAL_DIRECTORY);
    } catch {
      // A fault here only means later atomic writes fail, which the oracle allows.
    }
  }

  atomicReplace(sizeBytes: number): void {
    const { version, bytes } = this.oracle.issueAtomic(sizeBytes);
    try {
      atomicWrite(ATOMIC_FILE, bytes, this.fs);
      this.oracle.acknowledgeAtomic(version);
    } catch {
      // Not acknowledged: the file must hold this version or an older one.
    }
  }

  async #appendOne(sizeBytes: number): Promise<void> {
    const journal = this.journal;
    if (journal === undefined) return;
    const { index, payload } = this.oracle.issue(sizeBytes);
    try {
      const result = await journal.append(payload);
      this.oracle.acknowledgeAppend(index, result.offset);
    } catch (error) {
      this.oracle.noteFailure(error);
    }
  }

  /** Mostly small records, now and then one large enough to fill much of a small segment. */
  #size(): number {
    const roll = this.random.nextInt(10);
    if (roll === 0) return 0;
    if (roll < 8) return 1 + this.random.nextInt(120);
    return 400 + this.random.nextInt(1200);
  }
}

/** The durability levels of the explorer: immediate, batched with maxWrites 1, 8, 64, eventual. */
export const LEVELS: readonly { label: string; durability: DurabilityOption }[] = [
  { label: 'immediate', durability: 'immediate' },
  { label: 'batched-1', durability: DurabilityLevel.batched({ maxWrites: 1, maxDelayMs: NEVER_MS }) },
  { label: 'batched-8', durability: DurabilityLevel.batched({ maxWrites: 8, maxDelayMs: NEVER_MS }) },
  { label: 'batched-64', durability: DurabilityLevel.batched({ maxWrites: 64, maxDelayMs: NEVER_MS }) },
  { label: 'eventual', durability: 'eventual' },
];

/** The standard workloads at one durability level. */
export function standardWorkloads(label: string, durability: DurabilityOption): Workload[] {
  const small = SEGMENT_MIN_MAX_BYTES;
  return [
    {
      name: `${label}/appends`,
      durability,
      run: async (c) => {
        await c.open();
        await c.append(5);
        await c.burst(9);
        await c.sync();
        await c.append(3);
        await c.close();
      },
    },
    {
      name: `${label}/rotation-retention`,
      durability,
      maxSegmentBytes: small,
      run: async (c) => {
        await c.open();
        await c.append(14, 300);
        await c.burst(6);
        await c.sync();
        await c.retain();
        await c.append(4);
        await c.close();
      },
    },
    {
      name: `${label}/concurrent-reopen`,
      durability,
      maxSegmentBytes: small,
      run: async (c) => {
        await c.open();
        await c.concurrent(3, 5);
        await c.sync();
        await c.reopen();
        await c.concurrent(2, 4);
        await c.close();
      },
    },
    {
      name: `${label}/atomic-replace`,
      durability,
      run: async (c) => {
        await c.open();
        c.prepareAtomic();
        await c.append(3);
        c.atomicReplace(40);
        await c.append(2);
        c.atomicReplace(300);
        await c.sync();
        await c.close();
        await c.open();
        await c.append(2);
        c.atomicReplace(90);
        await c.close();
      },
    },
  ];
}
