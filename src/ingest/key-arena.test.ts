// Proves the ingestor's key arena: every key it gives is its own span of exactly the asked length,
// across chunk boundaries; long keys get arrays of their own; and keys built from it equal the
// keys built without it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { INGEST_KEY_ARENA_CHUNK_BYTES, INGEST_KEY_ARENA_MAX_KEY_BYTES } from '../limits.js';
import { hashKey, subjectKeyOfUtf8, subjectPredicateKeyOfUtf8 } from '../store/index.js';
import { KeyArena } from './key-arena.js';

test('keys never overlap, also across chunks, and each has the length asked for', () => {
  const arena = new KeyArena();
  const keys: Uint8Array[] = [];
  let total = 0;
  for (let i = 0; total < 3 * INGEST_KEY_ARENA_CHUNK_BYTES; i++) {
    const length = 1 + ((i * 37) % 200);
    const key = arena.allocate(length);
    assert.equal(key.length, length);
    key.fill(i % 251);
    keys.push(key);
    total += length;
  }
  keys.forEach((key, i) => assert.ok(key.every((byte) => byte === i % 251), `key ${i} intact`));
  assert.ok(new Set(keys.map((key) => key.buffer)).size >= 3, 'the keys span several chunks');
});

test('a key longer than the limit gets an array of its own', () => {
  const arena = new KeyArena();
  const long = arena.allocate(INGEST_KEY_ARENA_MAX_KEY_BYTES + 1);
  assert.equal(long.byteOffset, 0);
  assert.equal(long.buffer.byteLength, INGEST_KEY_ARENA_MAX_KEY_BYTES + 1);
  const short = arena.allocate(INGEST_KEY_ARENA_MAX_KEY_BYTES);
  assert.equal(short.buffer.byteLength, INGEST_KEY_ARENA_CHUNK_BYTES);
});

test('keys built in the arena equal the keys built without it', () => {
  const arena = new KeyArena();
  const encoder = new TextEncoder();
  for (let i = 0; i < 2000; i++) {
    const hash = new Uint8Array(32).fill(i % 256);
    const subject = encoder.encode(`entity/${i}`);
    const predicate = encoder.encode(`p${i % 7}`);
    assert.deepEqual(hashKey(hash, arena.allocate), hashKey(hash));
    assert.deepEqual(subjectKeyOfUtf8(subject, hash, arena.allocate), subjectKeyOfUtf8(subject, hash));
    assert.deepEqual(
      subjectPredicateKeyOfUtf8(subject, predicate, hash, arena.allocate),
      subjectPredicateKeyOfUtf8(subject, predicate, hash),
    );
  }
});
