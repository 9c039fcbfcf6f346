/**
 * The deterministic workload of the store crash test, shared by the writer child and the checking
 * parent: batch `n` is a function of (seed, n) alone, so the parent knows every byte the child
 * may have committed without being told.
 *
 * Batch n puts `keyCount` data keys `b/<n>/<i>`, deletes the pending marker `p/<n-1>`, puts
 * `p/<n>`, and sets the cursor `META:crash.cursor` to n, all in one `write()`.
 */
import type { WriteOp } from '../../src/store/index.js';
import { metaKey } from '../../src/store/index.js';

export const CURSOR_KEY = metaKey('crash.cursor');
export const DATA_PREFIX = new TextEncoder().encode('b/');
export const PENDING_PREFIX = new TextEncoder().encode('p/');
/** Bound on the writer's loop; the parent kills it long before. */
export const MAX_BATCHES = 1_000_000;

/** mulberry32: a small, fast, seedable generator of floats in [0, 1). */
export function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const utf8 = new TextEncoder();

export function dataKey(batch: number, index: number): Uint8Array {
  const batchHex = batch.toString(16).padStart(8, '0');
  return utf8.encode(`b/${batchHex}/${index.toString(16).padStart(4, '0')}`);
}

export function pendingKey(batch: number): Uint8Array {
  return utf8.encode(`p/${batch.toString(16).padStart(8, '0')}`);
}

export function encodeCursor(batch: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(batch));
  return bytes;
}

export function decodeCursor(bytes: Uint8Array | undefined): number {
  if (bytes === undefined) return 0;
  if (bytes.length !== 8) throw new Error(`cursor has ${bytes.length} bytes, expected 8`);
  return Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0));
}

/**
 * How many data keys batch n has and how large each value is. Most batches are small; some carry
 * thousands of keys or values of hundreds of KiB, so that commits span many pages and lmdb-js's
 * early start of large batches is exercised.
 */
export function batchShape(seed: number, batch: number): { valueSizes: number[] } {
  const random = randomSource((seed ^ Math.imul(batch, 0x9e3779b1)) >>> 0);
  const roll = random();
  const keyCount = roll < 0.1 ? 1000 + Math.floor(random() * 2000) : 1 + Math.floor(random() * 64);
  const bigValues = roll > 0.9;
  const valueSizes = Array.from({ length: keyCount }, () =>
    bigValues && random() < 0.25
      ? 64 * 1024 + Math.floor(random() * 192 * 1024)
      : Math.floor(random() * 512),
  );
  return { valueSizes };
}

/** The value of data key i of batch n: its size from the shape, its bytes from (n, i). */
export function dataValue(batch: number, index: number, sizeBytes: number): Uint8Array {
  const value = new Uint8Array(sizeBytes);
  let state = (Math.imul(batch, 2654435761) ^ Math.imul(index + 1, 40503)) >>> 0;
  for (let i = 0; i < sizeBytes; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    value[i] = state >>> 24;
  }
  return value;
}

export function batchOps(seed: number, batch: number): WriteOp[] {
  const { valueSizes } = batchShape(seed, batch);
  const ops: WriteOp[] = valueSizes.map((size, index) => ({
    type: 'put',
    key: dataKey(batch, index),
    value: dataValue(batch, index, size),
  }));
  if (batch > 1) ops.push({ type: 'delete', key: pendingKey(batch - 1) });
  ops.push({ type: 'put', key: pendingKey(batch), value: new Uint8Array(0) });
  ops.push({ type: 'put', key: CURSOR_KEY, value: encodeCursor(batch) });
  return ops;
}
