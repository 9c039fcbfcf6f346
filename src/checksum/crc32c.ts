/** CRC-32C (Castagnoli) through the SIMD N-API binding of @node-rs/crc32. */
import { createRequire } from 'node:module';

const binding = createRequire(import.meta.url)('@node-rs/crc32') as {
  crc32c(input: Uint8Array, initialState?: number): number;
};

/**
 * CRC-32C of `bytes`, continuing from `previous` (the CRC of the bytes before them) when given, so
 * a record can be checksummed in pieces without copying them together.
 */
export function crc32c(bytes: Uint8Array, previous?: number): number {
  return previous === undefined ? binding.crc32c(bytes) : binding.crc32c(bytes, previous);
}
