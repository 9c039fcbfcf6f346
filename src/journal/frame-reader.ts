/**
 * Reads record frames from one segment file through a chunk buffer, so a scan costs one read call
 * per chunk rather than one per record.
 *
 * Buffer ownership: every refill allocates a fresh chunk and never reuses an old one, so the payload
 * views handed out stay valid for as long as the caller keeps them.
 */
import type { FileHandle } from '../durability/index.js';
import { IoError } from '../errors.js';
import { RECORD_HEADER_BYTES } from '../limits.js';
import { checkFrame } from './format.js';
import type { FrameCheck, FrameCheckDepth } from './format.js';

const CHUNK_BYTES = 1024 * 1024;

export class FrameReader {
  readonly #handle: FileHandle;
  readonly #baseOffset: number;
  #chunk: Buffer = Buffer.alloc(0);
  #chunkStart = 0;

  /** Reads `handle`, the segment whose first byte has global offset `baseOffset`. */
  constructor(handle: FileHandle, baseOffset: number) {
    this.#handle = handle;
    this.#baseOffset = baseOffset;
  }

  /**
   * Checks the frame at `position` (bytes from the start of the file) of a file `fileSizeBytes`
   * long, to `depth` (see `FrameCheckDepth`). Valid frames come back with views into the chunk
   * buffer.
   */
  frameAt(position: number, fileSizeBytes: number, depth: FrameCheckDepth = 'full'): FrameCheck {
    const available = fileSizeBytes - position;
    const globalOffset = this.#baseOffset + position;
    const inChunk = position - this.#chunkStart;
    if (inChunk < 0 || this.#chunk.length - inChunk < Math.min(RECORD_HEADER_BYTES, available)) {
      this.#refill(position, CHUNK_BYTES, fileSizeBytes);
    }
    let check = checkFrame(this.#chunk, position - this.#chunkStart, available, globalOffset, depth);
    if (!check.ok && check.need > 0) {
      this.#refill(position, Math.max(check.need, CHUNK_BYTES), fileSizeBytes);
      check = checkFrame(this.#chunk, 0, available, globalOffset, depth);
    }
    return check;
  }

  /** Reads `length` raw bytes at `position` (for quarantine copies). */
  readRaw(position: number, length: number): Buffer {
    const bytes = Buffer.allocUnsafe(length);
    this.#readFully(bytes, position);
    return bytes;
  }

  #refill(position: number, wantBytes: number, fileSizeBytes: number): void {
    const length = Math.max(0, Math.min(wantBytes, fileSizeBytes - position));
    const chunk = Buffer.allocUnsafe(length);
    this.#readFully(chunk, position);
    this.#chunk = chunk;
    this.#chunkStart = position;
  }

  #readFully(target: Buffer, position: number): void {
    let done = 0;
    while (done < target.length) {
      let read: number;
      try {
        read = this.#handle.read(target, done, target.length - done, position + done);
      } catch (error) {
        throw new IoError(this.#handle.path, 'read failed', { cause: error });
      }
      if (read === 0) throw new IoError(this.#handle.path, `unexpected end of file at ${position + done}`);
      done += read;
    }
  }
}
