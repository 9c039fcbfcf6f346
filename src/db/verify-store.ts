/**
 * `verify`: re-hashes every record in the store and compares it with its key, and checks that
 * every index entry has its record and agrees with it.
 *
 * | entry                     | checks                                                          |
 * |---------------------------|-----------------------------------------------------------------|
 * | `H:` hash → bytes         | decodes; an assertion or vote; its content address is `hash`    |
 * | `V:` a v → bytes          | decodes; a vote on `a` whose address is `v`; `H:` v exists      |
 * | `E:` id → bytes           | decodes; an epoch whose address is `id`                         |
 * | `S:` s h, `SP:` s p h     | `H:` h exists and is an assertion of subject s (and predicate p) |
 */
import { VERIFY_MISMATCHES_MAX, VERIFY_PROGRESS_EVERY_ENTRIES } from '../limits.js';
import { AssertionView, bytesEqual, toHex, viewRecord } from '../records/index.js';
import type { RecordView } from '../records/index.js';
import {
  hashKey,
  kindPrefix,
  parseEpochKey,
  parseHashKey,
  parseSubjectKey,
  parseSubjectPredicateKey,
  parseVoteKey,
} from '../store/index.js';
import type { KVStore } from '../store/index.js';
import type { VerifyMismatch, VerifyProblem, VerifyReport } from './db-types.js';

export type ProgressListener = (checked: number, total: number) => void;

type Problem = readonly [VerifyProblem, string] | undefined;

const CHECKED_KINDS = ['hash', 'vote', 'epoch', 'subject', 'subjectPredicate'] as const;

/** `estimatedTotal` is what progress reports count towards (it grows if the store holds more). */
export async function verifyStore(
  store: KVStore,
  estimatedTotal: number,
  onProgress: ProgressListener | undefined,
): Promise<VerifyReport> {
  const report: VerifyReport = { checked: 0, mismatches: [], mismatchCount: 0, ok: true };
  let total = estimatedTotal;
  for (const kind of CHECKED_KINDS) {
    for await (const [key, value] of store.iterate({ prefix: kindPrefix(kind) })) {
      const problem = checkEntry(store, kind, key, value);
      report.checked++;
      if (problem !== undefined) addMismatch(report, key, problem);
      if (report.checked % VERIFY_PROGRESS_EVERY_ENTRIES === 0) {
        total = Math.max(total, report.checked);
        onProgress?.(report.checked, total);
      }
    }
  }
  onProgress?.(report.checked, Math.max(total, report.checked));
  report.ok = report.mismatchCount === 0;
  return report;
}

function addMismatch(
  report: VerifyReport,
  key: Uint8Array,
  [problem, detail]: readonly [VerifyProblem, string],
): void {
  report.mismatchCount++;
  if (report.mismatches.length < VERIFY_MISMATCHES_MAX) {
    const mismatch: VerifyMismatch = { key: toHex(key), problem, detail };
    report.mismatches.push(mismatch);
  }
}

function checkEntry(
  store: KVStore,
  kind: (typeof CHECKED_KINDS)[number],
  key: Uint8Array,
  value: Uint8Array,
): Problem {
  try {
    switch (kind) {
      case 'hash':
        return checkRecord(value, parseHashKey(key), ['assertion', 'vote']);
      case 'vote': {
        const { assertionHash, voteHash } = parseVoteKey(key);
        const problem = checkRecord(value, voteHash, ['vote']);
        if (problem !== undefined) return problem;
        const view = viewRecord(value);
        if (view.type === 'vote' && !bytesEqual(view.assertionHash, assertionHash)) {
          return ['index-mismatch', `the vote is on ${toHex(view.assertionHash)}`];
        }
        const stored = store.getSync(hashKey(voteHash));
        return stored === undefined ? ['missing-record', 'no H: entry'] : undefined;
      }
      case 'epoch':
        return checkRecord(value, parseEpochKey(key), ['epoch']);
      case 'subject':
        return checkIndex(store, parseSubjectKey(key));
      case 'subjectPredicate':
        return checkIndex(store, parseSubjectPredicateKey(key));
    }
  } catch (error) {
    return ['undecodable', error instanceof Error ? error.message : String(error)];
  }
}

function checkRecord(
  bytes: Uint8Array,
  address: Uint8Array,
  types: readonly RecordView['type'][],
): Problem {
  let view: RecordView;
  try {
    view = viewRecord(bytes);
  } catch (error) {
    return ['undecodable', error instanceof Error ? error.message : String(error)];
  }
  if (!types.includes(view.type)) return ['wrong-type', `holds a ${view.type}`];
  if (!bytesEqual(view.hash, address)) {
    return ['hash-mismatch', `content address is ${toHex(view.hash)}`];
  }
  return undefined;
}

interface IndexEntry {
  readonly subject: string;
  readonly predicate?: string;
  readonly hash: Uint8Array;
}

function checkIndex(store: KVStore, entry: IndexEntry): Problem {
  const bytes = store.getSync(hashKey(entry.hash));
  if (bytes === undefined) return ['missing-record', `no record ${toHex(entry.hash)}`];
  const view = viewRecord(bytes);
  if (!(view instanceof AssertionView)) {
    return ['index-mismatch', `${toHex(entry.hash)} is a ${view.type}`];
  }
  if (view.subject !== entry.subject) {
    return ['index-mismatch', `the subject is ${JSON.stringify(view.subject)}`];
  }
  if (entry.predicate !== undefined && view.predicate !== entry.predicate) {
    return ['index-mismatch', `the predicate is ${JSON.stringify(view.predicate)}`];
  }
  return undefined;
}
