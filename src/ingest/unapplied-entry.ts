/**
 * The value of a `Q:` entry: a journal record the ingestor could not apply, and why.
 *
 * | offset | width | field                                                     |
 * |--------|-------|-----------------------------------------------------------|
 * | 0      | 4     | u32 big-endian: bytes of `reason` (UTF-8)                 |
 * | 4      | 4     | u32 big-endian: bytes of the whole payload in the journal |
 * | 8      | n     | `reason`                                                  |
 * | 8 + n  | m     | the payload's first `m = min(size, UNAPPLIED_PAYLOAD_MAX_BYTES)` bytes |
 *
 * The journal keeps the whole payload at the entry's offset; the copy here is for inspection.
 */
import { UNAPPLIED_PAYLOAD_MAX_BYTES } from '../limits.js';

const HEAD_BYTES = 8;
const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

export interface UnappliedEntry {
  readonly reason: string;
  /** Size of the payload in the journal. */
  readonly payloadBytes: number;
  /** Its first bytes (all of them when `payload.length === payloadBytes`). */
  readonly payload: Uint8Array;
}

export function encodeUnappliedEntry(reason: string, payload: Uint8Array): Uint8Array {
  const reasonBytes = utf8.encode(reason);
  const kept = Math.min(payload.length, UNAPPLIED_PAYLOAD_MAX_BYTES);
  const value = new Uint8Array(HEAD_BYTES + reasonBytes.length + kept);
  const view = new DataView(value.buffer);
  view.setUint32(0, reasonBytes.length);
  view.setUint32(4, payload.length);
  value.set(reasonBytes, HEAD_BYTES);
  value.set(payload.subarray(0, kept), HEAD_BYTES + reasonBytes.length);
  return value;
}

/** The entry in `value`, or undefined if it is not one. */
export function decodeUnappliedEntry(value: Uint8Array): UnappliedEntry | undefined {
  if (value.length < HEAD_BYTES) return undefined;
  const view = new DataView(value.buffer, value.byteOffset, value.length);
  const reasonBytes = view.getUint32(0);
  const payloadBytes = view.getUint32(4);
  if (HEAD_BYTES + reasonBytes > value.length) return undefined;
  return {
    reason: utf8Decoder.decode(value.subarray(HEAD_BYTES, HEAD_BYTES + reasonBytes)),
    payloadBytes,
    payload: value.slice(HEAD_BYTES + reasonBytes),
  };
}
