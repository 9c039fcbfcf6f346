/**
 * A vocabulary for the records tests: sample records, fast-check arbitraries of valid records,
 * byte patching, and assertions on the layer's typed errors.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { InvalidArgumentError, StemeError } from '../../errors.js';
import {
  EPOCH_NAME_MAX_BYTES,
  PREDICATE_MAX_BYTES,
  SUBJECT_MAX_BYTES,
} from '../../limits.js';
import { SEED_ENV_NAME } from '../../../test/support/random.js';
import { readU32, writeFloat32, writeFloat64, writeU32 } from '../byte-order.js';
import { compareBytes } from '../bytes.js';
import { RecordFormatError } from '../record-format-error.js';
import type { RecordFormatReason } from '../record-format-error.js';
import { SUPERSESSION_KINDS } from '../record-types.js';
import type {
  Assertion,
  AssertionObject,
  Epoch,
  Signature,
  StemeRecord,
  Vote,
} from '../record-types.js';

export { readU32, writeFloat32, writeFloat64, writeU32 };

/** 32 (or `length`) bytes all equal to `fill`: readable stand-ins for hashes in tests. */
export function filled(fill: number, length = 32): Uint8Array {
  return new Uint8Array(length).fill(fill);
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function fromHexString(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'hex'));
}

/** A plain, writable copy of `bytes`, for patching. */
export function copyOf(bytes: Uint8Array): Uint8Array {
  return Uint8Array.from(bytes);
}

export function sampleAssertion(overrides: Partial<Assertion> = {}): Assertion {
  return {
    type: 'assertion',
    subject: 'entity:Q42',
    predicate: 'name',
    object: { type: 'text', value: 'Douglas Adams' },
    sourceHash: filled(0xab),
    confidence: 0.75,
    timestamp: 1_700_000_000_000,
    signatures: [],
    ...overrides,
  };
}

export function sampleVote(overrides: Partial<Vote> = {}): Vote {
  return {
    type: 'vote',
    assertionHash: filled(0x11),
    agentId: filled(0x22),
    weight: -0.5,
    timestamp: 1_700_000_000_500,
    ...overrides,
  };
}

export function sampleEpoch(overrides: Partial<Epoch> = {}): Epoch {
  return {
    type: 'epoch',
    name: 'census-2021',
    timestamp: 1_700_000_001_000,
    description: 'Figures from the 2021 census',
    ...overrides,
  };
}

/** A signature entry by the agent whose id is all `fill` (not a real signature). */
export function fakeSignature(fill: number, timestamp = 1_700_000_002_000): Signature {
  return { agentId: filled(fill), signature: filled(fill ^ 0xff, 64), timestamp };
}

/** Asserts that `run` throws `RecordFormatError` with `reason` (code INVALID_ARGUMENT). */
export function assertFormatError(run: () => unknown, reason: RecordFormatReason): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof RecordFormatError, `expected RecordFormatError: ${String(error)}`);
    assert.equal(error.code, 'INVALID_ARGUMENT');
    assert.equal(error.reason, reason, error.message);
    return true;
  });
}

/** Asserts that `run` throws `InvalidArgumentError` naming `field`. */
export function assertInvalidArgument(run: () => unknown, field: string | undefined): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof InvalidArgumentError, `not InvalidArgumentError: ${String(error)}`);
    assert.equal(error.code, 'INVALID_ARGUMENT');
    assert.equal(error.field, field, error.message);
    return true;
  });
}

/** Asserts that `run` throws a `StemeError` with `code`. */
export function assertCode(run: () => unknown, code: StemeError['code']): StemeError {
  let caught: StemeError | undefined;
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof StemeError, `expected a StemeError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    caught = error;
    return true;
  });
  assert.ok(caught !== undefined);
  return caught;
}

/** The seed a randomised test runs with: `STEMEDB_SEED` to replay, otherwise fresh. */
export function testSeed(): number {
  const fromEnvironment = process.env[SEED_ENV_NAME];
  if (fromEnvironment !== undefined && fromEnvironment !== '') return Number(fromEnvironment) >>> 0;
  return Math.floor(Math.random() * 0x1_0000_0000);
}

// ---- arbitraries of valid records ----------------------------------------------------------

const positiveZero = (value: number): number => (value === 0 ? 0 : value);
/** Plain objects, as JSON and TypeScript code make them; fast-check's default has no prototype. */
const plain = { noNullPrototype: true } as const;

function identifier(maxBytes: number): fc.Arbitrary<string> {
  return fc
    .oneof(
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 24 }),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }),
    )
    .filter((text) => !text.includes('\0') && Buffer.byteLength(text) <= maxBytes);
}

const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ maxLength: 200 }),
);
const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map(positiveZero);
const timestamp = fc.oneof(
  fc.integer({ min: 1_500_000_000_000, max: 2_000_000_000_000 }),
  fc.maxSafeNat(),
);
const hash = fc.uint8Array({ minLength: 32, maxLength: 32 });

const objectArbitrary: fc.Arbitrary<AssertionObject> = fc.oneof(
  fc.record({ type: fc.constant('text' as const), value: text }, plain),
  fc.record({ type: fc.constant('number' as const), value: finite }, plain),
  fc.record({ type: fc.constant('boolean' as const), value: fc.boolean() }, plain),
  fc.record(
    { type: fc.constant('reference' as const), value: identifier(SUBJECT_MAX_BYTES) },
    plain,
  ),
);

const signatureArbitrary: fc.Arbitrary<Signature> = fc.record(
  { agentId: hash, signature: fc.uint8Array({ minLength: 64, maxLength: 64 }), timestamp },
  plain,
);

/** Signature lists in canonical order (as decoding returns them), one per agent. */
export const signaturesArbitrary = (maxLength: number): fc.Arbitrary<Signature[]> =>
  fc
    .uniqueArray(signatureArbitrary, { selector: (entry) => hex(entry.agentId), maxLength })
    .map((entries) => [...entries].sort((a, b) => compareBytes(a.agentId, b.agentId)));

const vectorArbitrary = fc
  .float32Array({ noNaN: true, noDefaultInfinity: true, minLength: 1, maxLength: 24 })
  .map((vector) => vector.map(positiveZero));

export const assertionArbitrary: fc.Arbitrary<Assertion> = fc
  .record(
    {
      type: fc.constant('assertion' as const),
      subject: identifier(SUBJECT_MAX_BYTES),
      predicate: identifier(PREDICATE_MAX_BYTES),
      object: objectArbitrary,
      parentHash: hash,
      sourceHash: hash,
      visualHash: fc.uint8Array({ minLength: 8, maxLength: 8 }),
      confidence: fc.double({ min: 0, max: 1, noNaN: true }).map(positiveZero),
      timestamp,
      epoch: hash,
      vector: vectorArbitrary,
      signatures: signaturesArbitrary(6),
    },
    {
      requiredKeys: [
        'type', 'subject', 'predicate', 'object', 'confidence', 'timestamp', 'signatures',
      ],
      noNullPrototype: true,
    },
  )
  .map((value) => value as Assertion);

export const voteArbitrary: fc.Arbitrary<Vote> = fc
  .record(
    {
      type: fc.constant('vote' as const),
      assertionHash: hash,
      agentId: hash,
      weight: fc.double({ min: -1, max: 1, noNaN: true }).map(positiveZero),
      timestamp,
      signature: fc.uint8Array({ minLength: 64, maxLength: 64 }),
    },
    {
      requiredKeys: ['type', 'assertionHash', 'agentId', 'weight', 'timestamp'],
      noNullPrototype: true,
    },
  )
  .map((value) => value as Vote);

export const epochArbitrary: fc.Arbitrary<Epoch> = fc
  .tuple(
    identifier(EPOCH_NAME_MAX_BYTES),
    fc.option(fc.tuple(hash, fc.constantFrom(...SUPERSESSION_KINDS)), { nil: undefined }),
    timestamp,
    text,
  )
  .map(([name, supersession, time, description]): Epoch => ({
    type: 'epoch',
    name,
    ...(supersession === undefined ? {} : { supersedes: supersession[0], kind: supersession[1] }),
    timestamp: time,
    description,
  }));

export const recordArbitrary: fc.Arbitrary<StemeRecord> = fc.oneof(
  assertionArbitrary,
  voteArbitrary,
  epochArbitrary,
);
