/**
 * Small byte arrays carved from shared, zero-filled slabs. Why: V8 gives every typed array over 64
 * bytes its own off-heap buffer (an allocation and a buffer object each, about a microsecond at
 * ingestion rates), and a smaller one costs about 250 bytes of heap for 50 bytes of data; a view
 * into a slab is one small object. It matters most for arrays that live long enough to be promoted
 * to V8's old generation, which then grows until a full collection.
 *
 * Contract: `allocate(length)` returns exactly `length` zero bytes that no other caller receives,
 * at an offset within its slab that is a multiple of `alignBytes`. Its `buffer` may be shared, so
 * use `byteOffset`/`byteLength`, never the whole `buffer`. A live array keeps its whole slab
 * alive, so one allocator should serve arrays of like lifetimes; arrays longer than `maxBytes`
 * get a buffer of their own.
 */
import assert from 'node:assert/strict';

export class SlabAllocator {
  readonly #slabBytes: number;
  readonly #maxBytes: number;
  readonly #alignBytes: number;
  #slab: ArrayBuffer;
  #used = 0;

  constructor(slabBytes: number, maxBytes: number, alignBytes = 1) {
    const powerOfTwo = Number.isInteger(alignBytes) && (alignBytes & (alignBytes - 1)) === 0;
    assert.ok(alignBytes > 0 && powerOfTwo, 'alignment must be a power of two');
    assert.ok(maxBytes > 0 && maxBytes <= slabBytes && slabBytes % alignBytes === 0);
    this.#slabBytes = slabBytes;
    this.#maxBytes = maxBytes;
    this.#alignBytes = alignBytes;
    this.#slab = new ArrayBuffer(slabBytes);
  }

  /** The next array (an arrow function, so it can be passed on unbound). */
  readonly allocate = (length: number): Uint8Array => {
    if (length > this.#maxBytes) return new Uint8Array(length);
    const reserved = (length + this.#alignBytes - 1) & ~(this.#alignBytes - 1);
    if (this.#used + reserved > this.#slabBytes) {
      this.#slab = new ArrayBuffer(this.#slabBytes);
      this.#used = 0;
    }
    const bytes = new Uint8Array(this.#slab, this.#used, length);
    this.#used += reserved;
    return bytes;
  };
}
