/**
 * The one oracle of the crash explorer: a model of what a workload issued and what the journal
 * promised, and the checks of RELIABILITY.md invariants 1–9 against a recovered state.
 *
 * Model:
 * - `issued`: every payload passed to `append`, in call order (the journal's log order). Payloads
 *   carry a serial that is never reused, so a payload names its own position.
 * - `durableCount`: the length of the prefix the journal has promised durable: an `immediate`
 *   append that resolved promises itself and (prefix) everything before it; a `sync()` or `close()`
 *   that resolved promises everything issued before it was called.
 * - `retirable`: how many leading records retention was asked to remove (they may be gone).
 * - atomic replace: the versions written and the last one whose `atomicWrite` returned.
 * - a reopen in the same process makes the recovered log the new issued history, truncated to it.
 *
 * Invariants checked on a recovered log (`checkLog`): 1 every promised record present; 2 the log
 * is `issued[s..s+k)` with `s ≤ retirable`, no gap, duplicate or reordering; 3 every byte served is
 * a byte written, and offsets are the ones `append` returned; 4/6 a crash alone never reads as
 * corruption. `checkAtomic` checks 9. `acknowledge*` check 7 and 8 as the workload runs: nothing is
 * acknowledged once the journal failed (or a fatal fault fired) until it is reopened.
 */
import type { DurabilityKind } from '../../src/durability/index.js';
import type { RecoveryReport } from '../../src/journal/index.js';
import { frameBytes } from '../../src/journal/index.js';
import { indexOfPayload, payloadOf } from '../support/journal-files.js';
import type { SimFileSystem } from '../support/sim-fs/index.js';

export const JOURNAL_DIRECTORY = '/db';
export const ATOMIC_DIRECTORY = '/db/meta';
export const ATOMIC_FILE = '/db/meta/manifest';

/** What must hold after a crash at one operation boundary. */
export interface Expectation {
  readonly issuedCount: number;
  readonly durableCount: number;
  readonly retirable: number;
  readonly atomicIssued: number;
  /** Index of the last version whose `atomicWrite` returned; -1 if none. */
  readonly atomicDurable: number;
}

export interface RecoveredRecord {
  readonly offset: number;
  readonly nextOffset: number;
  readonly payload: Uint8Array;
}

export class Oracle {
  readonly level: DurabilityKind;
  /** Violations found while the workload ran (acknowledgements that must not have happened). */
  readonly violations: string[] = [];
  /** Set by the fault matrix: a reason acknowledgements are forbidden now, or undefined. */
  ackGuard: () => string | undefined = () => undefined;
  #issued: Uint8Array[] = [];
  #offsets: (number | undefined)[] = [];
  #positionOfSerial = new Map<number, number>();
  #nextSerial = 1;
  #durableCount = 0;
  #retirable = 0;
  #atomicVersions: Uint8Array[] = [];
  #atomicDurable = -1;
  #failed: string | undefined;

  constructor(level: DurabilityKind) {
    this.level = level;
  }

  get issuedCount(): number {
    return this.#issued.length;
  }

  get failed(): boolean {
    return this.#failed !== undefined;
  }

  snapshot(): Expectation {
    return {
      issuedCount: this.#issued.length,
      durableCount: this.#durableCount,
      retirable: this.#retirable,
      atomicIssued: this.#atomicVersions.length,
      atomicDurable: this.#atomicDurable,
    };
  }

  /** A new payload of about `sizeBytes`, appended to the issued history. */
  issue(sizeBytes: number): { index: number; payload: Uint8Array } {
    const serial = this.#nextSerial++;
    const payload = payloadOf(serial, sizeBytes);
    const index = this.#issued.length;
    this.#issued.push(payload);
    this.#offsets.push(undefined);
    this.#positionOfSerial.set(serial, index);
    return { index, payload };
  }

  acknowledgeAppend(index: number, offset: number): void {
    this.#checkMayAcknowledge(`append of record ${index}`);
    this.#offsets[index] = offset;
    if (this.level === 'immediate') this.#durableCount = Math.max(this.#durableCount, index + 1);
  }

  /** A `sync()` or `close()` called when `issuedCount` records were issued has resolved. */
  acknowledgeSync(issuedCount: number, what: string): void {
    this.#checkMayAcknowledge(what);
    this.#durableCount = Math.max(this.#durableCount, issuedCount);
  }

  /** The journal reported a failure: nothing may be acknowledged until it is reopened. */
  noteFailure(error: unknown): void {
    this.#failed ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }

  /**
   * The journal was reopened in this process and recovered `records`: they are the history now.
   * The caller has already checked them against the expectation.
   */
  rebase(records: readonly RecoveredRecord[]): void {
    const first = records[0];
    const start = first === undefined ? this.#retirable : this.positionOf(first.payload) ?? 0;
    const kept = start + records.length;
    for (const payload of this.#issued.slice(kept)) this.#positionOfSerial.delete(indexOfPayload(payload));
    this.#issued.length = kept;
    this.#offsets.length = kept;
    records.forEach((record, j) => (this.#offsets[start + j] = record.offset));
    this.#durableCount = Math.min(this.#durableCount, kept);
    this.#failed = undefined;
  }

  /** Retention below `offset` was asked for: leading records that end at or below it may vanish. */
  retire(offset: number): void {
    let count = 0;
    while (count < this.#issued.length) {
      const start = this.#offsets[count];
      const payload = this.#issued[count] as Uint8Array;
      if (start === undefined || start + frameBytes(payload.length) > offset) break;
      count++;
    }
    this.#retirable = Math.max(this.#retirable, count);
  }

  /** The offset `append` returned for record `index`, if it resolved. */
  offsetOf(index: number): number | undefined {
    return this.#offsets[index];
  }

  issueAtomic(sizeBytes: number): { version: number; bytes: Uint8Array } {
    const version = this.#atomicVersions.length;
    const bytes = payloadOf(1_000_000 + version, sizeBytes);
    this.#atomicVersions.push(bytes);
    return { version, bytes };
  }

  acknowledgeAtomic(version: number): void {
    this.#atomicDurable = Math.max(this.#atomicDurable, version);
  }

  positionOf(payload: Uint8Array): number | undefined {
    const serial = indexOfPayload(payload);
    return Number.isSafeInteger(serial) ? this.#positionOfSerial.get(serial) : undefined;
  }

  /**
   * Invariants 1–4 and 6 for a log recovered after a crash at `expectation`. `report` is the
   * recovery's report; a crash alone must never be reported as corruption.
   */
  checkLog(expectation: Expectation, records: readonly RecoveredRecord[], report?: RecoveryReport): string[] {
    const problems: string[] = [];
    const first = records[0];
    let start = expectation.retirable;
    if (first !== undefined) {
      const position = this.positionOf(first.payload);
      if (position === undefined || position >= expectation.issuedCount) {
        return [`phantom: first record at offset ${first.offset} was never issued`];
      }
      start = position;
      if (start > expectation.retirable) {
        problems.push(`gap: log starts at record ${start}, only ${expectation.retirable} could be retired`);
      }
    }
    let previousEnd = -1;
    for (const [j, record] of records.entries()) {
      const position = start + j;
      const issued = this.#issued[position];
      if (position >= expectation.issuedCount || issued === undefined) {
        problems.push(`phantom: record ${j} at offset ${record.offset} beyond the ${expectation.issuedCount} issued`);
        break;
      }
      if (!Buffer.from(record.payload).equals(issued)) {
        const actual = this.positionOf(record.payload);
        const what = actual === undefined ? 'bytes never written' : `record ${actual}`;
        problems.push(`not a prefix: at offset ${record.offset} expected record ${position}, found ${what}`);
        break;
      }
      const promised = this.#offsets[position];
      if (promised !== undefined && promised !== record.offset) {
        problems.push(`record ${position} moved: append said offset ${promised}, read at ${record.offset}`);
      }
      if (record.offset < previousEnd) problems.push(`offsets go backwards at ${record.offset}`);
      previousEnd = record.nextOffset;
    }
    const kept = start + records.length;
    if (kept < expectation.durableCount) {
      problems.push(
        `acknowledged records lost: log holds records ${start}..${kept - 1}, ` +
          `records 0..${expectation.durableCount - 1} were promised durable`,
      );
    }
    for (const region of report?.quarantined ?? []) {
      if (region.kind === 'corruption') {
        problems.push(`a crash was reported as corruption at offset ${region.offset}: ${region.reason}`);
      }
    }
    return problems;
  }

  /** Invariant 9: the atomically replaced file holds one whole version, not older than promised. */
  checkAtomic(expectation: Expectation, fs: SimFileSystem): string[] {
    if (!fs.exists(ATOMIC_FILE)) {
      return expectation.atomicDurable >= 0
        ? [`atomic file missing, version ${expectation.atomicDurable} was acknowledged`]
        : [];
    }
    const contents = Buffer.from(fs.readFile(ATOMIC_FILE));
    const versions = this.#atomicVersions.slice(0, expectation.atomicIssued);
    const version = versions.findIndex((bytes) => contents.equals(bytes));
    if (version < 0) return [`atomic file holds ${contents.length} bytes that are no version written`];
    if (version < expectation.atomicDurable) {
      return [`atomic file went back to version ${version}, ${expectation.atomicDurable} was acknowledged`];
    }
    return [];
  }

  #checkMayAcknowledge(what: string): void {
    if (this.#failed !== undefined) {
      this.violations.push(`${what} acknowledged after the journal failed (${this.#failed})`);
    }
    const forbidden = this.ackGuard();
    if (forbidden !== undefined) this.violations.push(`${what} acknowledged after ${forbidden}`);
  }
}
