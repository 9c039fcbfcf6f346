/**
 * The journal's checkpoint: where the log ended at its last clean close, so that the next open
 * validates only what lies past it (SPEC §3: recovery scans "from the last known good point").
 *
 * Why it may be trusted: a clean close writes it only after the log's seal was synced, so every
 * byte before its end was durable, and had been validated by the open before or written by this
 * process. The log is append-only, so nothing before that end changes afterwards: recovery cuts
 * only damage past what was durable, retention removes whole segments, and repair (which may cut
 * anywhere) always scans the whole log. What it no longer finds at open is damage at rest before
 * the checkpoint; every read of a record still checks its CRC-32C and BLAKE3, and such damage is
 * `CORRUPTION` at the record when it is read. `fullScan` (and `stemedb recover`) checks everything.
 *
 * The checkpoint names the seal it was written after; an open uses it only if that exact frame is
 * still there, whole, where it says. Anything else (no file, a damaged one, a segment removed,
 * a seal that differs) means a full scan, never an error: the checkpoint is a shortcut, not data.
 *
 * `CHECKPOINT`, 40 bytes, little-endian, written with `atomicWrite`:
 *   0  8  magic "STEMECKP"
 *   8  4  format version (1)
 *  12  4  the seal frame's CRC-32C, as stored in its first 4 bytes
 *  16  8  end: the global offset just past the seal, where the log ended at the close
 *  24  8  base offset of the segment that holds the seal
 *  32  4  reserved, zero
 *  36  4  CRC-32C of bytes 0..36
 */
import path from 'node:path';
import { atomicWrite } from '../durability/index.js';
import type { FileSystem } from '../durability/index.js';
import { crc32c } from '../checksum/index.js';
import { SEGMENT_HEADER_BYTES } from '../limits.js';
import { RECORD_KIND_SEAL, frameBytes, readU64, writeU64 } from './format.js';
import { FrameReader } from './frame-reader.js';

export const CHECKPOINT_FILE_NAME = 'CHECKPOINT';
const MAGIC = Buffer.from('STEMECKP', 'latin1');
const VERSION = 1;
const CHECKPOINT_BYTES = 40;
const SEAL_BYTES = frameBytes(0);

export interface Checkpoint {
  /** Global offset just past the seal of the clean close that wrote it. */
  readonly end: number;
  /** Base offset of the segment holding that seal. */
  readonly segmentBase: number;
  /** The seal frame's stored CRC-32C. */
  readonly sealCrc: number;
}

export function encodeCheckpoint(checkpoint: Checkpoint): Buffer {
  const bytes = Buffer.alloc(CHECKPOINT_BYTES);
  MAGIC.copy(bytes, 0);
  bytes.writeUInt32LE(VERSION, 8);
  bytes.writeUInt32LE(checkpoint.sealCrc >>> 0, 12);
  writeU64(bytes, checkpoint.end, 16);
  writeU64(bytes, checkpoint.segmentBase, 24);
  bytes.writeUInt32LE(crc32c(bytes.subarray(0, 36)), 36);
  return bytes;
}

/** The checkpoint in `bytes`, or undefined if they are not a whole, valid one. */
export function decodeCheckpoint(bytes: Buffer): Checkpoint | undefined {
  if (bytes.length !== CHECKPOINT_BYTES) return undefined;
  if (bytes.readUInt32LE(36) !== crc32c(bytes.subarray(0, 36))) return undefined;
  if (!bytes.subarray(0, 8).equals(MAGIC) || bytes.readUInt32LE(8) !== VERSION) return undefined;
  if (bytes.readUInt32LE(32) !== 0) return undefined;
  const end = readU64(bytes, 16);
  const segmentBase = readU64(bytes, 24);
  if (!Number.isSafeInteger(end) || !Number.isSafeInteger(segmentBase) || end <= segmentBase) {
    return undefined;
  }
  return { end, segmentBase, sealCrc: bytes.readUInt32LE(12) };
}

/** The checkpoint of the journal in `directory`, if it has a readable one. Never throws. */
export function readCheckpoint(directory: string, fileSystem: FileSystem): Checkpoint | undefined {
  const file = path.join(directory, CHECKPOINT_FILE_NAME);
  try {
    if (!fileSystem.exists(file)) return undefined;
    const handle = fileSystem.open(file, 'read');
    try {
      const bytes = Buffer.alloc(CHECKPOINT_BYTES + 1);
      const read = handle.read(bytes, 0, bytes.length, 0);
      return decodeCheckpoint(bytes.subarray(0, read));
    } finally {
      handle.close();
    }
  } catch {
    return undefined;
  }
}

/**
 * The stored CRC-32C of the seal frame that ends exactly at global offset `end` in `segment`, if a
 * whole, valid seal (CRC-32C and BLAKE3) ends there; else undefined. It is what a checkpoint
 * names when written and what an open compares before trusting one. Throws what reading throws.
 */
export function sealCrcEndingAt(
  fileSystem: FileSystem,
  segment: { readonly path: string; readonly baseOffset: number; readonly sizeBytes: number },
  end: number,
): number | undefined {
  const sealAt = end - SEAL_BYTES - segment.baseOffset;
  if (sealAt < SEGMENT_HEADER_BYTES || sealAt + SEAL_BYTES > segment.sizeBytes) return undefined;
  const handle = fileSystem.open(segment.path, 'read');
  try {
    const reader = new FrameReader(handle, segment.baseOffset);
    const check = reader.frameAt(sealAt, segment.sizeBytes);
    if (!check.ok || check.frame.kind !== RECORD_KIND_SEAL) return undefined;
    return reader.readRaw(sealAt, 4).readUInt32LE(0);
  } finally {
    handle.close();
  }
}

/** Replaces the checkpoint durably (see `atomicWrite`); throws what that throws. */
export function writeCheckpoint(
  directory: string,
  fileSystem: FileSystem,
  checkpoint: Checkpoint,
): void {
  atomicWrite(path.join(directory, CHECKPOINT_FILE_NAME), encodeCheckpoint(checkpoint), fileSystem);
}
