// Proves, over generated records, that decoding inverts encoding, that the bytes depend only on
// the logical value, and that the content address ignores signatures.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { contentAddress, encodeRecord, encodeRecordWithHash } from './encode-record.js';
import type { Assertion, StemeRecord } from './record-types.js';
import {
  assertionArbitrary,
  hex,
  recordArbitrary,
  signaturesArbitrary,
  testSeed,
} from './test-support/record-fixtures.js';
import { decodeRecord, viewRecord } from './view-record.js';

const RUNS = process.env['STEMEDB_SOAK'] === '1' ? 50_000 : 2_000;

function check<T>(name: string, arbitrary: fc.Arbitrary<T>, predicate: (value: T) => void): void {
  test(name, (t) => {
    const seed = testSeed();
    t.diagnostic(`seed ${seed} (replay with STEMEDB_SEED=${seed})`);
    fc.assert(fc.property(arbitrary, predicate), { seed, numRuns: RUNS });
  });
}

/** The same logical value rebuilt: fresh objects and byte arrays, keys inserted in reverse. */
function rebuilt(value: unknown): unknown {
  if (value instanceof Uint8Array || value instanceof Float32Array) return value.slice();
  if (Array.isArray(value)) return value.map(rebuilt);
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value).reverse()) {
    copy[key] = rebuilt((value as Record<string, unknown>)[key]);
  }
  return copy;
}

check('decoding the encoding of any record gives the record back', recordArbitrary, (record) => {
  assert.deepStrictEqual(decodeRecord(encodeRecord(record)), record);
});

check('views agree with the full decode on every record', recordArbitrary, (record) => {
  const bytes = encodeRecord(record);
  const view = viewRecord(bytes);
  assert.deepStrictEqual(view.toRecord(), record);
  assert.equal(hex(view.hash), hex(contentAddress(record)));
});

check(
  'the bytes depend only on the logical value, not on key order or object identity',
  recordArbitrary,
  (record) => {
    const again = rebuilt(record) as StemeRecord;
    assert.deepStrictEqual(Object.keys(again), Object.keys(record).reverse());
    assert.equal(hex(encodeRecord(again)), hex(encodeRecord(record)));
    assert.equal(hex(encodeRecord(record)), hex(encodeRecord(record)));
  },
);

check(
  'the content address ignores signatures, and signatures round-trip in any input order',
  fc.tuple(assertionArbitrary, signaturesArbitrary(12)),
  ([assertion, signatures]: [Assertion, Assertion['signatures']]) => {
    const signed: Assertion = { ...assertion, signatures };
    const shuffled: Assertion = { ...assertion, signatures: [...signatures].reverse() };
    const unsigned: Assertion = { ...assertion, signatures: [] };
    assert.equal(hex(contentAddress(signed)), hex(contentAddress(unsigned)));
    assert.equal(hex(encodeRecordWithHash(shuffled).hash), hex(contentAddress(unsigned)));
    assert.equal(hex(encodeRecord(shuffled)), hex(encodeRecord(signed)));
    const decoded = decodeRecord(encodeRecord(shuffled)) as Assertion;
    assert.deepStrictEqual(decoded.signatures, signatures);
  },
);
