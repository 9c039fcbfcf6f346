// Proves the committed golden vectors still hold: each input encodes to the pinned bytes and
// content address, and the pinned bytes decode to that input. A failure here means the on-disk
// format changed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { blake3 as independentBlake3 } from '@noble/hashes/blake3.js';
import {
  contentAddress,
  decodeRecord,
  encodeRecord,
  parseRecordInput,
  toHex,
  toOutput,
  verifySignatures,
  viewRecord,
} from '../../src/records/index.js';

interface Vector {
  readonly name: string;
  readonly input: Record<string, unknown>;
  readonly hex: string;
  readonly hash: string;
}

const file = JSON.parse(readFileSync(new URL('./records.json', import.meta.url), 'utf8')) as {
  vectors: Vector[];
};
const bytesOf = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'));

test('the vector file covers every record type, object type and supersession kind', () => {
  const inputs = file.vectors.map((vector) => vector.input);
  for (const type of ['assertion', 'vote', 'epoch']) {
    assert.ok(inputs.some((input) => input['type'] === type), type);
  }
  const objectTypes = new Set(inputs.map((input) => (input['object'] as { type?: string })?.type));
  for (const type of ['text', 'number', 'boolean', 'reference']) assert.ok(objectTypes.has(type));
  const kinds = new Set(inputs.map((input) => input['kind']));
  for (const kind of ['replaces', 'refines', 'retracts']) assert.ok(kinds.has(kind));
  assert.ok(file.vectors.length >= 16);
});

for (const vector of file.vectors) {
  test(`vector ${vector.name}: the input encodes to the pinned bytes and address`, () => {
    const record = parseRecordInput(vector.input);
    assert.equal(toHex(encodeRecord(record)), vector.hex);
    assert.equal(toHex(contentAddress(record)), vector.hash);
    verifySignatures(record);
  });

  test(`vector ${vector.name}: the pinned bytes decode to the input`, () => {
    const bytes = bytesOf(vector.hex);
    assert.deepStrictEqual(decodeRecord(bytes), parseRecordInput(vector.input));
    assert.deepStrictEqual(toOutput(viewRecord(bytes)), { ...vector.input, hash: vector.hash });
    const view = viewRecord(bytes);
    const unsigned = view.type === 'epoch' ? bytes : view.unsignedBytes;
    assert.equal(toHex(independentBlake3(unsigned)), vector.hash, 'by an independent BLAKE3');
  });
}
