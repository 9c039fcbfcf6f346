/**
 * Writes `test/vectors/records.json`, the golden vectors that pin the record format. Run it only on
 * purpose, when the format is meant to change (and then change docs/FORMAT.md with it):
 *
 *   node --import tsx test/vectors/generate-record-vectors.ts
 *
 * The test `record-vectors.test.ts` never regenerates; it compares against the committed file.
 * Signatures come from fixed seeds, and Ed25519 is deterministic, so a rerun with an unchanged
 * format writes an identical file.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  contentAddress,
  encodeRecord,
  parseRecordInput,
  signRecord,
  signingKeyFromSeed,
  toHex,
  toOutput,
} from '../../src/records/index.js';
import type { Assertion, Vote } from '../../src/records/index.js';

const OUTPUT_PATH = fileURLToPath(new URL('./records.json', import.meta.url));
const HASH_A = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
const HASH_B = 'a1'.repeat(32);
const T = 1_700_000_000_000;

const agentOne = signingKeyFromSeed(new Uint8Array(32).fill(1));
const agentTwo = signingKeyFromSeed(new Uint8Array(32).fill(2));

interface VectorSource {
  readonly name: string;
  readonly pins: string;
  readonly input: Record<string, unknown>;
  readonly sign?: (record: Assertion | Vote) => Assertion | Vote;
}

const sources: VectorSource[] = [
  {
    name: 'assertion-text-minimal',
    pins: 'the worked example of docs/FORMAT.md: two strings, a text object, nothing optional',
    input: {
      subject: 'Q42',
      predicate: 'name',
      object: { type: 'text', value: 'Douglas Adams' },
      confidence: 0.9,
      timestamp: T,
    },
  },
  {
    name: 'assertion-number',
    pins: 'a float64 object in the head scalar, an empty object region, a source hash',
    input: {
      subject: 'water',
      predicate: 'boils-at-kelvin',
      object: { type: 'number', value: 373.15 },
      sourceHash: HASH_A,
      timestamp: T + 1,
    },
  },
  {
    name: 'assertion-boolean-true',
    pins: 'a boolean object stored as u64 1',
    input: { subject: 's', predicate: 'p', object: { type: 'boolean', value: true }, timestamp: 0 },
  },
  {
    name: 'assertion-boolean-false',
    pins: 'a boolean object stored as u64 0, confidence 0',
    input: {
      subject: 's',
      predicate: 'p',
      object: { type: 'boolean', value: false },
      confidence: 0,
      timestamp: 0,
    },
  },
  {
    name: 'assertion-reference',
    pins: 'an entity reference in the object region',
    input: {
      subject: 'entity:Q42',
      predicate: 'instance-of',
      object: { type: 'reference', value: 'entity:Q5' },
      timestamp: T + 2,
    },
  },
  {
    name: 'assertion-empty-text',
    pins: 'an empty text object (a zero-length region)',
    input: { subject: 'a', predicate: 'b', object: { type: 'text', value: '' }, timestamp: 1 },
  },
  {
    name: 'assertion-all-fields',
    pins: 'every optional region present, in order: parent, source, visual, epoch, vector',
    input: {
      subject: 'photo:1',
      predicate: 'depicts',
      object: { type: 'reference', value: 'entity:Q42' },
      parentHash: HASH_B,
      sourceHash: HASH_A,
      visualHash: '0123456789abcdef',
      epoch: HASH_A,
      confidence: 0.25,
      timestamp: T + 3,
      vector: [0.5, -1, 2.25],
    },
  },
  {
    name: 'assertion-unicode',
    pins: 'multi-byte UTF-8 in identifiers, and NUL inside a text object',
    input: {
      subject: 'città:Zürich',
      predicate: '名前',
      object: { type: 'text', value: '🐳 whale\u0000after NUL' },
      timestamp: T + 4,
    },
  },
  {
    name: 'assertion-max-timestamp',
    pins: 'the largest timestamp, 2^53 - 1, as a u64',
    input: {
      subject: 'end',
      predicate: 'of-time',
      object: { type: 'number', value: -0.5 },
      timestamp: Number.MAX_SAFE_INTEGER,
    },
  },
  {
    name: 'assertion-signed-by-two-agents',
    pins: 'the signature trailer: count, padding, entries sorted by agent id; address unchanged',
    input: {
      subject: 'Q42',
      predicate: 'name',
      object: { type: 'text', value: 'Douglas Adams' },
      confidence: 0.9,
      timestamp: T,
    },
    sign: (record) =>
      signRecord(signRecord(record as Assertion, agentTwo, T + 20), agentOne, T + 10),
  },
  {
    name: 'vote-unsigned',
    pins: 'a vote without a signature: 88 bytes',
    input: {
      type: 'vote',
      assertionHash: HASH_A,
      agentId: toHex(agentOne.agentId),
      weight: -0.75,
      timestamp: T + 30,
    },
  },
  {
    name: 'vote-signed',
    pins: 'a vote with its signature: 152 bytes, address over the first 88',
    input: {
      type: 'vote',
      assertionHash: HASH_A,
      agentId: toHex(agentOne.agentId),
      weight: 1,
      timestamp: T + 31,
    },
    sign: (record) => signRecord(record as Vote, agentOne),
  },
  {
    name: 'epoch-minimal',
    pins: 'an epoch superseding nothing (kind code 0), with a description',
    input: { type: 'epoch', name: 'census-2021', timestamp: T + 40, description: 'UK census' },
  },
  ...(['replaces', 'refines', 'retracts'] as const).map((kind, index) => ({
    name: `epoch-${kind}`,
    pins: `supersession kind "${kind}" (code ${index + 1}) with its supersedes region`,
    input: { type: 'epoch', name: 'census-2022', supersedes: HASH_B, kind, timestamp: T + 41 },
  })),
];

const vectors = sources.map((source) => {
  const parsed = parseRecordInput(source.input);
  const record = source.sign === undefined ? parsed : source.sign(parsed as Assertion | Vote);
  const { hash, ...input } = toOutput(record) as unknown as Record<string, unknown>;
  return {
    name: source.name,
    pins: source.pins,
    input,
    hex: toHex(encodeRecord(record)),
    hash: toHex(contentAddress(record)),
    outputHash: hash,
  };
});
for (const vector of vectors) {
  if (vector.outputHash !== vector.hash) throw new Error(`${vector.name}: hashes disagree`);
}
const file = {
  about:
    'Golden vectors of the StemeDB record format (docs/FORMAT.md, "Record bodies"). Each input ' +
    'is in the JSON input shape; hex is its canonical encoding; hash its content address.',
  vectors: vectors.map(({ outputHash: _unused, ...vector }) => vector),
};
writeFileSync(OUTPUT_PATH, `${JSON.stringify(file, null, 2)}\n`);
process.stdout.write(`wrote ${vectors.length} vectors to ${OUTPUT_PATH}\n`);
