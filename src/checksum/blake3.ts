/**
 * BLAKE3-256, synchronous, for journal payloads and content addresses.
 *
 * Small inputs go through one reused WebAssembly hasher (hash-wasm): no native call overhead and no
 * garbage beyond the 32-byte digest. Large inputs go through the N-API binding of the Rust crate
 * (@napi-rs/blake-hash), which is about nine times faster there; where its prebuilt binary is
 * missing, the WebAssembly hasher serves every size.
 */
import { createRequire } from 'node:module';
import { createBLAKE3 } from 'hash-wasm';

export const BLAKE3_BYTES = 32;

/** At and above this size the native hasher wins despite its per-call cost (measured: ~2.7 µs). */
const NATIVE_MIN_BYTES = 16 * 1024;

const wasmHasher = await createBLAKE3();
const nativeBlake3 = loadNativeBlake3();

/** Returns a new 32-byte digest of `bytes`. The input is only read. */
export function blake3(bytes: Uint8Array): Uint8Array {
  if (nativeBlake3 !== undefined && bytes.length >= NATIVE_MIN_BYTES) {
    const digest = nativeBlake3(bytes);
    return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
  }
  wasmHasher.init();
  wasmHasher.update(bytes);
  return wasmHasher.digest('binary');
}

function loadNativeBlake3(): ((input: Uint8Array) => Buffer) | undefined {
  try {
    const binding = createRequire(import.meta.url)('@napi-rs/blake-hash') as {
      blake3(input: Uint8Array): Buffer;
    };
    return (input) => binding.blake3(input);
  } catch {
    return undefined;
  }
}
