/**
 * The claim workload every claim-store benchmark writes: a deterministic sequence of assertions,
 * claim `i` a pure function of `i`, so StemeDB and each baseline receive exactly the same claims,
 * any slice can be generated lazily (5 million claims are never held at once), and a run can be
 * replayed. Every claim is distinct (its timestamp is `CLAIM_EPOCH_MS + i`), so no engine can
 * deduplicate any of it.
 *
 * Shape, chosen to look like extracted knowledge: subjects are spread over `subjects` entities in
 * scattered order (claim `i` has subject `(i × stride) mod subjects`, so each subject receives one
 * claim per `subjects` claims and inserts land all over every index), 16 predicates, objects
 * mixing text (16–64 chars), numbers, booleans and references, a confidence, and a 64-hex source
 * hash shared by runs of 64 claims (one source document yields several claims). Canonical records
 * come to about 200–300 bytes.
 */
import type { AssertionInput, ObjectJson } from '../src/records/index.js';
import { encodeRecordWithHash, parseAssertionInput } from '../src/records/index.js';

/** Timestamp of claim 0 (2024-01-01T00:00:00Z); claim `i` is stamped `CLAIM_EPOCH_MS + i`. */
export const CLAIM_EPOCH_MS = 1_704_067_200_000;

/** Subjects of the default workload: a 1,000,000-claim store holds 100 claims per subject. */
export const DEFAULT_SUBJECT_COUNT = 10_000;

/** Claims that share one source hash. */
const CLAIMS_PER_SOURCE = 64;

export const CLAIM_PREDICATES = [
  'name', 'type', 'born', 'died', 'located-in', 'part-of', 'population', 'area', 'founded',
  'member-of', 'author-of', 'capital', 'language', 'occupation', 'spouse', 'population-rank',
] as const;

const WORDS = [
  'river', 'stone', 'north', 'harbour', 'amber', 'valley', 'signal', 'copper', 'orchard',
  'meridian', 'lantern', 'glacier', 'cinder', 'quarry', 'tidal', 'beacon',
] as const;

export interface ClaimWorkload {
  /** Distinct subjects; claim `i` has subject `subjectName((i × stride) mod subjects)`. */
  readonly subjects: number;
  /** Coprime with `subjects`, so `subjects` consecutive claims visit every subject once. */
  readonly stride: number;
}

/** One claim in the form every store writes: canonical bytes, content address, index fields. */
export interface EncodedClaim {
  /** The canonical record bytes (what `H:` holds and the SQLite row stores). */
  readonly bytes: Uint8Array;
  /** BLAKE3-256 content address, 32 raw bytes. */
  readonly hash: Uint8Array;
  readonly subject: string;
  readonly predicate: string;
}

export function claimWorkload(subjects = DEFAULT_SUBJECT_COUNT): ClaimWorkload {
  if (!Number.isSafeInteger(subjects) || subjects < 1) {
    throw new RangeError(`subjects must be a positive integer, got ${subjects}`);
  }
  return { subjects, stride: strideFor(subjects) };
}

/** The subject text of subject number `n`. */
export function subjectName(n: number): string {
  return `entity/${n.toString().padStart(7, '0')}`;
}

/** The subject number claim `index` is about. */
export function subjectOf(workload: ClaimWorkload, index: number): number {
  return (index * workload.stride) % workload.subjects;
}

/** Claim number `index` (a safe integer ≥ 0) as input to `assert`. */
export function claimInput(workload: ClaimWorkload, index: number): AssertionInput {
  const mixed = mix(index);
  const predicate = CLAIM_PREDICATES[mixed & 15] ?? 'name';
  return {
    subject: subjectName(subjectOf(workload, index)),
    predicate,
    object: objectOf(index, mixed, workload.subjects),
    confidence: ((mixed >>> 8) % 1000) / 1000,
    sourceHash: sourceHashOf(Math.floor(index / CLAIMS_PER_SOURCE)),
    timestamp: CLAIM_EPOCH_MS + index,
  };
}

/** Claims `start .. start + count - 1`, in order. */
export function claimInputs(
  workload: ClaimWorkload,
  start: number,
  count: number,
): AssertionInput[] {
  const inputs: AssertionInput[] = new Array<AssertionInput>(count);
  for (let i = 0; i < count; i++) inputs[i] = claimInput(workload, start + i);
  return inputs;
}

/**
 * What any store must compute before it can keep a claim by content address: the input parsed
 * and validated, the canonical bytes and their BLAKE3 hash. The baselines call this inside their
 * timed windows, as StemeDB does inside `assert`.
 */
export function encodeClaim(input: AssertionInput): EncodedClaim {
  const assertion = parseAssertionInput(input);
  const { bytes, hash } = encodeRecordWithHash(assertion);
  return { bytes, hash, subject: assertion.subject, predicate: assertion.predicate };
}

function objectOf(index: number, mixed: number, subjects: number): ObjectJson {
  switch (index & 3) {
    case 0: {
      const words = 2 + ((mixed >>> 4) & 7);
      const parts: string[] = [];
      for (let w = 0; w < words; w++) parts.push(WORDS[(mixed >>> (w * 4)) & 15] ?? 'river');
      return { type: 'text', value: `${parts.join(' ')} ${index}` };
    }
    case 1:
      return { type: 'number', value: (mixed % 1_000_000) / 7 };
    case 2:
      return { type: 'boolean', value: (mixed & 1) === 1 };
    default:
      return { type: 'reference', value: subjectName(mix(mixed) % subjects) };
  }
}

/** 64 hex digits derived from `source`, the same for every claim of one source document. */
function sourceHashOf(source: number): string {
  let hex = '';
  let state = source;
  for (let word = 0; word < 8; word++) {
    state = mix(state + word + 1);
    hex += state.toString(16).padStart(8, '0');
  }
  return hex;
}

/** A 32-bit integer hash (the murmur3 finaliser): scatters consecutive indices. */
function mix(value: number): number {
  // The odd constant keeps 0 from mapping to 0.
  let h = ((value ^ Math.floor(value / 2 ** 32)) + 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A stride coprime with `subjects` near 0.618 × subjects (the golden ratio scatters best), so
 * `i × stride mod subjects` visits every subject once per `subjects` consecutive claims.
 */
function strideFor(subjects: number): number {
  let stride = Math.max(1, Math.floor(subjects * 0.6180339887));
  while (gcd(stride, subjects) !== 1) stride++;
  return stride;
}

function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

/**
 * What each claim-store benchmark drives: StemeDB through its facade, and the baselines. Writes
 * resolve when the store's durability promise for them holds; `settle` resolves once every claim
 * written so far can be read back. Reads return what a caller would use (see each store).
 */
export interface BenchClaimStore {
  writeOne(input: AssertionInput): Promise<void>;
  /** All of `inputs` in one commit (one transaction, one group commit). */
  writeMany(inputs: readonly AssertionInput[]): Promise<void>;
  settle(): Promise<void>;
  /** Makes what was written durable and readable before queries (untimed). */
  quiesce(): Promise<void>;
  /** True when a claim with content address `hash` (32 raw bytes) was found. */
  get(hash: Uint8Array): Promise<boolean>;
  /** The claims of `subject` (and `predicate`, when given), at most `limit`: how many it read. */
  scanSubject(subject: string, predicate?: string, limit?: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * How durable a baseline's acknowledged write is. `durable`: on disk when acknowledged (SQLite
 * `synchronous=FULL`, LMDB synced commits), what StemeDB's `immediate` promises. `relaxed`:
 * committed and readable when acknowledged, on disk shortly after or at checkpoint (SQLite
 * `synchronous=NORMAL`, lmdb-js overlapping sync), what `batched` and `eventual` promise.
 */
export const BASELINE_DURABILITIES = ['durable', 'relaxed'] as const;
export type BaselineDurability = (typeof BASELINE_DURABILITIES)[number];
