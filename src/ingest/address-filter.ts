/**
 * A Bloom filter of content addresses: one layer of `KnownAddresses`, which tells the ingestor
 * which records the store certainly does not hold under `H:`, so it can skip looking them up.
 *
 * Why: nearly every record the ingestor meets is new, yet each one costs a store lookup that
 * finds nothing. On LevelDB that lookup reads index and filter blocks of a table on every level,
 * and the pages it touches stay resident in the process: measured at 1,500,000 claims, 121-160
 * MiB of mapped table pages with the lookups against 13-18 MiB without, and ingestion took a
 * quarter less time without them.
 *
 * A filter never forgets an address it was given; whether its addresses cover the store is
 * `KnownAddresses`'s business. False positives only cost a lookup. Addresses are BLAKE3 digests,
 * uniformly distributed, so the bit positions are taken from the address itself instead of
 * hashing it again.
 */
import assert from 'node:assert/strict';
import { HASH_BYTES } from '../records/index.js';

/**
 * Filter bits per address it is sized for; with `PROBES` probes, about 0.07% false positives per
 * full layer. Each false positive is a store read whose table pages may stay resident: at
 * 5,000,000 claims, 10 bits (about 0.8% per layer) left 142 MiB of file pages resident and 16
 * left 130, for 5 MiB more filter.
 */
export const FILTER_BITS_PER_ADDRESS = 16;
export const FILTER_PROBES = 7;

export class AddressFilter {
  /** Addresses the filter is sized for; past it, the false-positive rate climbs. */
  readonly capacity: number;
  readonly #bits: Uint32Array;
  /** The number of bits. */
  readonly #size: number;
  #added = 0;

  /** An empty filter for `capacity` addresses. */
  constructor(capacity: number) {
    assert.ok(Number.isSafeInteger(capacity) && capacity > 0, 'filter capacity must be positive');
    const bits = Math.ceil((capacity * FILTER_BITS_PER_ADDRESS) / 32) * 32;
    assert.ok(bits <= 2 ** 32, 'filter positions are 32-bit');
    this.capacity = capacity;
    this.#bits = new Uint32Array(bits / 32);
    this.#size = bits;
  }

  /** Bytes of filter bits. */
  get bytes(): number {
    return this.#bits.byteLength;
  }

  /** Addresses added so far (with repeats). */
  get added(): number {
    return this.#added;
  }

  /** Adds an address the store holds or is about to hold. */
  add(address: Uint8Array): void {
    checkAddress(address);
    for (let probe = 0; probe < FILTER_PROBES; probe++) {
      const position = positionOf(probeWord(address, probe), this.#size);
      this.#bits[position >>> 5] = (this.#bits[position >>> 5] as number) | (1 << (position & 31));
    }
    this.#added++;
  }

  /** False only if the address was certainly never added; true if it may have been. */
  mayHold(address: Uint8Array): boolean {
    checkAddress(address);
    for (let probe = 0; probe < FILTER_PROBES; probe++) {
      const position = positionOf(probeWord(address, probe), this.#size);
      if (((this.#bits[position >>> 5] as number) & (1 << (position & 31))) === 0) return false;
    }
    return true;
  }
}

/** A uniform 32-bit word scaled to `[0, size)` (multiply and shift, no modulo bias to speak of). */
function positionOf(word: number, size: number): number {
  return Math.floor((word / 2 ** 32) * size);
}

function checkAddress(address: Uint8Array): void {
  assert.equal(address.length, HASH_BYTES, 'a content address is 32 bytes');
}

/** The address's 32-bit little-endian word number `probe`: independent, uniform bits. */
function probeWord(address: Uint8Array, probe: number): number {
  const at = probe * 4;
  return (
    ((address[at] as number) |
      ((address[at + 1] as number) << 8) |
      ((address[at + 2] as number) << 16) |
      ((address[at + 3] as number) << 24)) >>>
    0
  );
}
