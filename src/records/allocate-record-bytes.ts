/**
 * Memory for encoded records. Records up to `RECORD_SLAB_MAX_RECORD_BYTES` are carved from shared,
 * zero-filled slabs, because V8 gives every typed array over 64 bytes its own off-heap buffer,
 * which costs about a microsecond each at ingestion rates; larger records get their own buffer.
 *
 * Contract: the result is a plain `Uint8Array` of exactly `length` zero bytes, 8-byte aligned, that
 * no other caller ever receives. Its `buffer` may be shared with other records, so use
 * `byteOffset`/`byteLength`, never the whole `buffer`. A live record keeps its slab alive.
 */
import { RECORD_SLAB_BYTES, RECORD_SLAB_MAX_RECORD_BYTES } from '../limits.js';
import { alignUp } from './layout.js';

let slab = new ArrayBuffer(RECORD_SLAB_BYTES);
let slabUsed = 0;

export function allocateRecordBytes(length: number): Uint8Array {
  if (length > RECORD_SLAB_MAX_RECORD_BYTES) return new Uint8Array(length);
  const reserved = alignUp(length);
  if (slabUsed + reserved > RECORD_SLAB_BYTES) {
    slab = new ArrayBuffer(RECORD_SLAB_BYTES);
    slabUsed = 0;
  }
  const bytes = new Uint8Array(slab, slabUsed, length);
  slabUsed += reserved;
  return bytes;
}
