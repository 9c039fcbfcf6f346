// Proves the strict decoder, fed random and mutated bytes, either returns a record that re-encodes
// to exactly those bytes or throws RecordFormatError: no other error, no hang.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createRandom } from '../../test/support/random.js';
import type { Random } from '../../test/support/random.js';
import { contentAddress, encodeRecord } from './encode-record.js';
import { RecordFormatError } from './record-format-error.js';
import type { RecordFormatReason } from './record-format-error.js';
import {
  fakeSignature,
  hex,
  recordArbitrary,
  sampleAssertion,
  sampleEpoch,
  sampleVote,
  readU32,
  testSeed,
  writeU32,
} from './test-support/record-fixtures.js';
import { decodeRecord, viewRecord } from './view-record.js';

const SOAK = process.env['STEMEDB_SOAK'] === '1';
const FUZZ_INPUTS = SOAK ? 2_000_000 : 100_000;
const CORPUS_RECORDS = 300;

interface Outcomes {
  decoded: number;
  refused: Map<RecordFormatReason, number>;
}

/**
 * Decodes `bytes` and checks the outcome: a record must re-encode to the identical bytes and its
 * view must agree; anything thrown must be a RecordFormatError.
 */
function checkOutcome(bytes: Uint8Array, outcomes: Outcomes, context: () => string): void {
  let record;
  try {
    record = decodeRecord(bytes);
  } catch (error) {
    if (!(error instanceof RecordFormatError)) {
      assert.fail(`${context()}: threw ${String(error)} for ${hex(bytes)}`);
    }
    outcomes.refused.set(error.reason, (outcomes.refused.get(error.reason) ?? 0) + 1);
    return;
  }
  outcomes.decoded++;
  const again = encodeRecord(record);
  if (hex(again) !== hex(bytes)) assert.fail(`${context()}: ${hex(bytes)} re-encodes differently`);
  const viewHash = hex(viewRecord(bytes).hash);
  assert.equal(viewHash, hex(contentAddress(record)), context());
}

function corpus(seed: number): Uint8Array[] {
  const records = fc.sample(recordArbitrary, { seed, numRuns: CORPUS_RECORDS });
  const signatures = Array.from({ length: 4 }, (_, i) => fakeSignature(i * 40 + 3));
  records.push(
    sampleAssertion({ signatures, vector: new Float32Array([1, -1, 0.5]) }),
    sampleAssertion({ object: { type: 'number', value: 3 } }),
    sampleVote({ signature: new Uint8Array(64).fill(7) }),
    sampleEpoch({ supersedes: new Uint8Array(32).fill(1), kind: 'refines' }),
  );
  return records.map((record) => encodeRecord(record));
}

/** One mutation of a valid encoding (or fresh random bytes), chosen by `random`. */
function mutate(valid: Uint8Array, other: Uint8Array, random: Random): Uint8Array {
  const bytes = Uint8Array.from(valid);
  const at = (): number => random.nextInt(Math.max(bytes.length, 1));
  switch (random.nextInt(9)) {
    case 0: {
      const noise = new Uint8Array(random.nextInt(400));
      random.fill(noise);
      if (noise.length > 8 && random.nextInt(2) === 0) noise.fill(0, 1, 8);
      if (noise.length > 0) noise[0] = random.nextInt(4);
      return noise;
    }
    case 1:
      for (let flips = 1 + random.nextInt(3); flips > 0; flips--) {
        const position = at();
        bytes[position] = (bytes[position] ?? 0) ^ (1 << random.nextInt(8));
      }
      return bytes;
    case 2:
      return bytes.subarray(0, random.nextInt(bytes.length));
    case 3: {
      const extra = new Uint8Array(1 + random.nextInt(120));
      if (random.nextInt(2) === 0) random.fill(extra);
      return Uint8Array.from([...bytes, ...extra]);
    }
    case 4:
      return lieAboutALength(bytes, random);
    case 5:
      bytes[at()] = [0, 0xff, 0x80, random.nextInt(256)][random.nextInt(4)] ?? 0;
      return bytes;
    case 6: {
      const start = random.nextInt(Math.max(other.length, 1));
      const chunk = other.subarray(start, start + 1 + random.nextInt(32));
      const target = at();
      bytes.set(chunk.subarray(0, bytes.length - target), target);
      return bytes;
    }
    case 7:
      return bytes.subarray(0, bytes.length - 8 * random.nextInt(4));
    default:
      return bytes;
  }
}

/** Overwrites a u32 in the head (region offsets and lengths, counts) with a plausible lie. */
function lieAboutALength(bytes: Uint8Array, random: Random): Uint8Array {
  if (bytes.length < 48) return bytes;
  const headWords = bytes[0] === 0 ? 26 : bytes[0] === 2 ? 12 : 22;
  const word = 2 + random.nextInt(headWords - 2);
  const current = readU32(bytes, 4 * word);
  const lies = [
    current + 1,
    current - 1,
    current + 8,
    current - 8,
    0,
    0xffff_ffff,
    0x8000_0000,
    bytes.length,
    bytes.length + 1,
    random.nextUint32(),
  ];
  writeU32(bytes, 4 * word, (lies[random.nextInt(lies.length)] ?? 0) >>> 0);
  return bytes;
}

test(`each of ${FUZZ_INPUTS} mutated inputs decodes canonically or is refused`, (t) => {
  const seed = testSeed();
  t.diagnostic(`seed ${seed} (replay with STEMEDB_SEED=${seed})`);
  const random = createRandom(seed);
  const valid = corpus(seed);
  const outcomes: Outcomes = { decoded: 0, refused: new Map() };
  for (let i = 0; i < FUZZ_INPUTS; i++) {
    const base = valid[random.nextInt(valid.length)] as Uint8Array;
    const other = valid[random.nextInt(valid.length)] as Uint8Array;
    const input = mutate(base, other, random);
    checkOutcome(input, outcomes, () => `seed ${seed}, input ${i}`);
  }
  t.diagnostic(`decoded ${outcomes.decoded}, refused ${JSON.stringify([...outcomes.refused])}`);
  assert.ok(outcomes.decoded > FUZZ_INPUTS / 20, `seed ${seed}: too few inputs decoded`);
  assert.ok(outcomes.refused.size >= 10, `seed ${seed}: refusals cover too few reasons`);
});

test('every bit flip and truncation of sample records decodes exactly or is refused', (t) => {
  const outcomes: Outcomes = { decoded: 0, refused: new Map() };
  const records = [
    sampleAssertion({
      signatures: [fakeSignature(1), fakeSignature(2)],
      vector: new Float32Array([2]),
    }),
    sampleVote({ signature: new Uint8Array(64).fill(3) }),
    sampleEpoch({ supersedes: new Uint8Array(32).fill(4), kind: 'replaces' }),
  ];
  for (const record of records) {
    const bytes = encodeRecord(record);
    for (let bit = 0; bit < bytes.length * 8; bit++) {
      const flipped = Uint8Array.from(bytes);
      flipped[bit >> 3] = (flipped[bit >> 3] ?? 0) ^ (1 << (bit & 7));
      checkOutcome(flipped, outcomes, () => `${record.type}, bit ${bit}`);
    }
    for (let length = 0; length < bytes.length; length++) {
      checkOutcome(bytes.subarray(0, length), outcomes, () => `${record.type}, length ${length}`);
    }
  }
  t.diagnostic(`decoded ${outcomes.decoded}, refused ${JSON.stringify([...outcomes.refused])}`);
});
