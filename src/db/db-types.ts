/** The shapes of the library facade's options and results (SPEC §7). */
import type { DurabilityOption } from '../durability/index.js';
import type { ErrorCode } from '../errors.js';
import type { RebuildReason } from '../ingest/index.js';
import type { RecordType } from '../records/index.js';
import type { StoreDiscardReason, StoreEngine } from '../store/index.js';

export interface StemeDBOptions {
  /** When an acknowledged write is durable: `'immediate'` (default), `'batched'`, `'eventual'`. */
  durability?: DurabilityOption;
  /** A new journal segment starts past this size. */
  maxSegmentBytes?: number;
  /**
   * Open a journal with damage in its synced part by quarantining it (see `RecoveryReport`).
   * Validates the whole journal, as `fullScan` does.
   */
  repair?: boolean;
  /**
   * Validate every journal record at open. By default an open validates only what follows the
   * journal's checkpoint (where it ended at its last clean close); damage at rest before it is
   * then reported as `CORRUPTION` when the record is read, not at open.
   */
  fullScan?: boolean;
  /** Refuse assertions without signatures and votes without a signature. */
  requireSignatures?: boolean;
  /**
   * The engine of the derived store: `'leveldb'` or `'lmdb'`. Unset, an existing store keeps the
   * engine it was built with and a new one is LevelDB. A store built by another engine than the one
   * given is discarded and rebuilt from the journal at open (`stats().rebuiltAtOpen`).
   */
  store?: StoreEngine;
}

export interface WriteResult {
  /** The record's content address: 64 lower-case hex digits. */
  hash: string;
  /** Where the record sits in the journal; pass it to `waitForIngest`. */
  offset: number;
  type: RecordType;
}

export interface DbStats {
  /** Distinct assertions in the store (the same claim signed twice counts once). */
  assertions: number;
  votes: number;
  epochs: number;
  /** Journal records the ingestor could not apply (kept under `Q:` with the reason). */
  unapplied: number;
  journal: {
    startOffset: number;
    endOffset: number;
    durableOffset: number;
    segments: number;
  };
  /** Every journal record below this offset is applied to the store. */
  ingestedOffset: number;
  /** The durability level, e.g. `immediate` or `batched(maxWrites=100, maxDelayMs=10)`. */
  durability: string;
  /** The engine of the derived store. */
  store: StoreEngine;
  /** Why the store was rebuilt from the journal when this database opened, if it was. */
  rebuiltAtOpen?: RebuildReason | StoreDiscardReason;
  /** The error that stopped the ingestor, if one did. The database must be reopened. */
  ingestFailure?: { code: ErrorCode; message: string };
}

export const VERIFY_PROBLEMS = [
  'hash-mismatch',
  'undecodable',
  'wrong-type',
  'missing-record',
  'index-mismatch',
] as const;
export type VerifyProblem = (typeof VERIFY_PROBLEMS)[number];

export interface VerifyMismatch {
  /** The store key, as hex. */
  key: string;
  problem: VerifyProblem;
  detail: string;
}

export interface VerifyReport {
  /** Store entries checked: records (`H:`, `V:`, `E:`) and index entries (`S:`, `SP:`). */
  checked: number;
  /** At most `VERIFY_MISMATCHES_MAX` are listed; `mismatchCount` counts all. */
  mismatches: VerifyMismatch[];
  mismatchCount: number;
  ok: boolean;
}
