/** Small byte-array helpers shared by the codec, the signatures and the input layer. */

/** Orders byte strings bytewise, shorter first on a common prefix (the store's key order). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const common = Math.min(a.length, b.length);
  for (let i = 0; i < common; i++) {
    const difference = (a[i] as number) - (b[i] as number);
    if (difference !== 0) return difference;
  }
  return a.length - b.length;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && compareBytes(a, b) === 0;
}

/**
 * A new plain `Uint8Array` holding `bytes[start..end)`. Plain on purpose: `Buffer#slice` shares
 * memory, so a `Buffer` handed out as a copy would alias the caller's input.
 */
export function copyBytes(bytes: Uint8Array, start: number, end: number): Uint8Array {
  const copy = new Uint8Array(end - start);
  for (let i = start; i < end; i++) copy[i - start] = bytes[i] as number;
  return copy;
}

/** A plain `Uint8Array` over `bytes[start..end)`, sharing its memory. */
export function viewBytes(bytes: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset + start, end - start);
}

/** Lower-case hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return stringOf(bytes, 'hex');
}

/** `bytes` as one char per byte (latin1): distinct byte strings give distinct strings. */
export function toLatin1(bytes: Uint8Array): string {
  return stringOf(bytes, 'latin1');
}

/**
 * Where `stringOf` copies inputs up to its size: converting from it allocates only the string,
 * where a `Buffer` view over each input would be one more object per call (measured: about 60 ns
 * and 100 bytes less per 32-byte hash). Used synchronously, so no two calls ever share it.
 */
const STRING_SCRATCH = Buffer.allocUnsafeSlow(256);

function stringOf(bytes: Uint8Array, encoding: 'hex' | 'latin1'): string {
  // Node's encoder returns one flat string; concatenating digits would build a rope of small
  // pieces that costs about 2 KiB per hash and keeps the collector busy.
  if (bytes.length > STRING_SCRATCH.length) {
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString(encoding);
  }
  STRING_SCRATCH.set(bytes);
  return STRING_SCRATCH.toString(encoding, 0, bytes.length);
}

/** The bytes `hex` spells, or undefined unless it is exactly `byteLength` bytes of hex digits. */
export function fromHex(hex: string, byteLength: number): Uint8Array | undefined {
  if (hex.length !== byteLength * 2) return undefined;
  const bytes = new Uint8Array(byteLength);
  for (let i = 0; i < byteLength; i++) {
    const high = hexValue(hex.charCodeAt(2 * i));
    const low = hexValue(hex.charCodeAt(2 * i + 1));
    if (high < 0 || low < 0) return undefined;
    bytes[i] = (high << 4) | low;
  }
  return bytes;
}

function hexValue(unit: number): number {
  if (unit >= 0x30 && unit <= 0x39) return unit - 0x30;
  const lower = unit | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}
