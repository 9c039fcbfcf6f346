/** Vocabulary for tests that damage journal files on the real disk the way crashes and bit rot do. */
import fs from 'node:fs';
import path from 'node:path';
import { parseSegmentFileName } from '../../src/journal/index.js';

/** Segment file paths of a journal directory, in log order. */
export function segmentPaths(directory: string): string[] {
  return fs
    .readdirSync(directory)
    .filter((name) => parseSegmentFileName(name) !== undefined)
    .sort()
    .map((name) => path.join(directory, name));
}

export function lastSegment(directory: string): string {
  const all = segmentPaths(directory);
  const last = all.at(-1);
  if (last === undefined) throw new Error(`no segments in ${directory}`);
  return last;
}

/** Flips one bit of the byte at `position` of `file`. */
export function flipByte(file: string, position: number, mask = 0x01): void {
  const fd = fs.openSync(file, 'r+');
  try {
    const byte = Buffer.alloc(1);
    fs.readSync(fd, byte, 0, 1, position);
    byte[0] = (byte[0] as number) ^ mask;
    fs.writeSync(fd, byte, 0, 1, position);
  } finally {
    fs.closeSync(fd);
  }
}

export function truncateAt(file: string, sizeBytes: number): void {
  fs.truncateSync(file, sizeBytes);
}

export function appendBytes(file: string, bytes: Uint8Array): void {
  fs.appendFileSync(file, bytes);
}

export function fileSize(file: string): number {
  return fs.statSync(file).size;
}

/** Payload `i` of a test sequence: its index in text, padded with a pattern to `sizeBytes`. */
export function payloadOf(i: number, sizeBytes = 32): Uint8Array {
  const bytes = Buffer.alloc(Math.max(sizeBytes, 12));
  bytes.write(`#${i.toString().padStart(10, '0')}`, 0, 'latin1');
  for (let k = 12; k < bytes.length; k++) bytes[k] = (i * 7 + k) & 0xff;
  return bytes;
}

/** The sequence number `payloadOf` wrote into a payload. */
export function indexOfPayload(payload: Uint8Array): number {
  return Number.parseInt(Buffer.from(payload.subarray(1, 11)).toString('latin1'), 10);
}
