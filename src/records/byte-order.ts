/**
 * Little-endian reads and writes of the format's scalars, straight on a `Uint8Array`. Cheaper than
 * a `DataView`, which costs an allocation per record (~50 ns) for a handful of reads.
 */

const float64 = new Float64Array(1);
const float64Bytes = new Uint8Array(float64.buffer);
const float32 = new Float32Array(1);
const float32Bytes = new Uint8Array(float32.buffer);
/** Typed arrays use the platform's byte order; the format is little-endian everywhere. */
const PLATFORM_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function readU32(bytes: Uint8Array, at: number): number {
  return (
    ((bytes[at] as number) |
      ((bytes[at + 1] as number) << 8) |
      ((bytes[at + 2] as number) << 16) |
      ((bytes[at + 3] as number) << 24)) >>>
    0
  );
}

/** `value` must be an integer in [0, 2^32). */
export function writeU32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value & 0xff;
  bytes[at + 1] = (value >>> 8) & 0xff;
  bytes[at + 2] = (value >>> 16) & 0xff;
  bytes[at + 3] = value >>> 24;
}

export function readFloat64(bytes: Uint8Array, at: number): number {
  copyOrdered(bytes, at, float64Bytes, 0, 8);
  return float64[0] as number;
}

export function writeFloat64(bytes: Uint8Array, at: number, value: number): void {
  float64[0] = value;
  copyOrdered(float64Bytes, 0, bytes, at, 8);
}

export function readFloat32(bytes: Uint8Array, at: number): number {
  copyOrdered(bytes, at, float32Bytes, 0, 4);
  return float32[0] as number;
}

/** `value` must be exactly representable as a float32. */
export function writeFloat32(bytes: Uint8Array, at: number, value: number): void {
  float32[0] = value;
  copyOrdered(float32Bytes, 0, bytes, at, 4);
}

/**
 * A `Float32Array` over `bytes[at..at + 4 * count)`, sharing its memory, when the platform is
 * little-endian and that position is 4-byte aligned in its buffer; otherwise undefined (read or
 * write element by element instead). Vectors sit 8-aligned in a record, so this is the usual case.
 */
export function float32Lanes(
  bytes: Uint8Array,
  at: number,
  count: number,
): Float32Array | undefined {
  const offset = bytes.byteOffset + at;
  if (!PLATFORM_LITTLE_ENDIAN || offset % 4 !== 0) return undefined;
  return new Float32Array(bytes.buffer, offset, count);
}

/** Copies `width` bytes, reversing them when the platform is big-endian. */
function copyOrdered(
  from: Uint8Array,
  fromAt: number,
  to: Uint8Array,
  toAt: number,
  width: number,
): void {
  if (PLATFORM_LITTLE_ENDIAN) {
    for (let i = 0; i < width; i++) to[toAt + i] = from[fromAt + i] as number;
  } else {
    for (let i = 0; i < width; i++) to[toAt + width - 1 - i] = from[fromAt + i] as number;
  }
}
