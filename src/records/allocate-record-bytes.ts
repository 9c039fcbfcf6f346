/**
 * Memory for encoded records: records up to `RECORD_SLAB_MAX_RECORD_BYTES` are carved from shared
 * slabs (`SlabAllocator`), larger records get their own buffer.
 *
 * Contract: the result is a plain `Uint8Array` of exactly `length` zero bytes, 8-byte aligned, that
 * no other caller ever receives. Its `buffer` may be shared with other records, so use
 * `byteOffset`/`byteLength`, never the whole `buffer`. A live record keeps its slab alive.
 */
import { RECORD_SLAB_BYTES, RECORD_SLAB_MAX_RECORD_BYTES } from '../limits.js';
import { ALIGNMENT_BYTES } from './layout.js';
import { SlabAllocator } from './slab-allocator.js';

const recordSlabs = new SlabAllocator(
  RECORD_SLAB_BYTES,
  RECORD_SLAB_MAX_RECORD_BYTES,
  ALIGNMENT_BYTES,
);

export const allocateRecordBytes: (length: number) => Uint8Array = recordSlabs.allocate;
