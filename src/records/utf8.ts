/**
 * UTF-8 helpers for the codec: measure and write without intermediate buffers, validate in place
 * without allocating strings, decode once validated.
 */
import assert from 'node:assert/strict';
import { isUtf8 } from 'node:buffer';

const encoder = new TextEncoder();
/** Not fatal: callers decode only bytes that `isValidUtf8` accepted. */
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** Below this many UTF-16 units a JavaScript loop beats a native call's fixed cost. */
const SHORT_STRING_UNITS = 64;

const stringIsWellFormed = (String.prototype as { isWellFormed?: (this: string) => boolean })
  .isWellFormed;

/**
 * UTF-8 byte length of `text`, or -1 if `text` holds a lone surrogate, which UTF-8 cannot carry
 * (a `TextEncoder` would silently turn it into U+FFFD, so it could not round-trip).
 */
export function utf8Length(text: string): number {
  const units = text.length;
  if (units > SHORT_STRING_UNITS && stringIsWellFormed !== undefined) {
    return stringIsWellFormed.call(text) ? Buffer.byteLength(text, 'utf8') : -1;
  }
  let bytes = 0;
  for (let i = 0; i < units; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit < 0xd800 || unit > 0xdfff) bytes += 3;
    else if (unit <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else return -1;
  }
  return bytes;
}

/**
 * Writes `text` as UTF-8 at `out[at..at + byteLength)`. `byteLength` must be `utf8Length(text)`;
 * it equals `text.length` exactly when the text is ASCII, which picks the fast path.
 */
export function writeUtf8(text: string, out: Uint8Array, at: number, byteLength: number): void {
  if (byteLength === text.length && byteLength <= SHORT_STRING_UNITS) {
    for (let i = 0; i < byteLength; i++) out[at + i] = text.charCodeAt(i);
    return;
  }
  const { written } = encoder.encodeInto(text, out.subarray(at, at + byteLength));
  assert.equal(written, byteLength, 'byteLength must be utf8Length(text)');
}

/** True if `bytes[start..end)` is well-formed UTF-8: no overlongs, surrogates or past U+10FFFF. */
export function isValidUtf8(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    if ((bytes[i] as number) >= 0x80) return isUtf8(bytes.subarray(i, end));
  }
  return true;
}

/** True if `bytes[start..end)` contains a zero byte, which in UTF-8 is only ever U+0000. */
export function hasZeroByte(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i] === 0) return true;
  return false;
}

/** Decodes `bytes[start..end)`, which must already have passed `isValidUtf8`. */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  if (start === end) return '';
  return decoder.decode(bytes.subarray(start, end));
}
