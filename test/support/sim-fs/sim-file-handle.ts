/**
 * An open file of the simulated file system. A handle refers to an inode, not a name: it keeps
 * working after its file is renamed or unlinked, as a POSIX file descriptor does.
 */
import type { FileHandle } from '../../../src/durability/file-system.js';
import type { FaultPlan } from './fault-plan.js';
import { checkRange, errnoOf, fileSystemError } from './file-system-error.js';
import type { FileInode } from './inodes.js';
import type { OperationLog } from './operation-log.js';

/** What a handle shares with the file system that opened it. */
export interface HandleContext {
  readonly log: OperationLog;
  readonly faults: FaultPlan;
}

export class SimFileHandle implements FileHandle {
  readonly path: string;
  readonly #inode: FileInode;
  readonly #writable: boolean;
  readonly #id: number;
  readonly #context: HandleContext;
  #closed = false;

  /** `path` is the normalised path the file was opened as; `id` numbers the handle in the log. */
  constructor(
    path: string,
    inode: FileInode,
    writable: boolean,
    id: number,
    context: HandleContext,
  ) {
    this.path = path;
    this.#inode = inode;
    this.#writable = writable;
    this.#id = id;
    this.#context = context;
  }

  size(): number {
    this.#checkOpen('fstat');
    return this.#inode.live.sizeBytes;
  }

  read(buffer: Uint8Array, bufferOffset: number, length: number, position: number): number {
    checkSpan(buffer, bufferOffset, length, position);
    this.#checkOpen('read');
    return this.#inode.live.read(position, buffer, bufferOffset, length);
  }

  /**
   * Copies the bytes (the caller may reuse `buffer` at once) into the live file and the pending
   * list. A `short-write` fault writes the first half and returns that count; when half is nothing
   * the write throws `ENOSPC` instead, as the kernel does when no byte fits.
   */
  write(buffer: Uint8Array, bufferOffset: number, length: number, position: number): number {
    checkSpan(buffer, bufferOffset, length, position);
    const entry = this.#context.log.start({
      kind: 'write',
      ...this.#names(),
      position,
      length,
      written: 0,
    });
    return this.#logged(entry, () => {
      this.#checkOpen('write');
      if (!this.#writable) throw fileSystemError('EBADF', 'write');
      const faults = this.#context.faults;
      const outcome = length === 0 ? undefined : faults.consider('write', [this.path]);
      if (outcome === 'EIO' || outcome === 'ENOSPC') throw fileSystemError(outcome, 'write');
      const count = outcome === 'short-write' ? Math.floor(length / 2) : length;
      if (outcome === 'short-write' && count === 0) throw fileSystemError('ENOSPC', 'write');
      if (count > 0) {
        // A copy, even for a Buffer (whose `slice` is a view): the caller may reuse its buffer.
        const bytes = Uint8Array.prototype.slice.call(buffer, bufferOffset, bufferOffset + count);
        this.#inode.live.write(position, bytes, 0, count);
        this.#inode.pending.push({ kind: 'write', seq: entry.seq, position, bytes });
      }
      entry.written = count;
      return count;
    });
  }

  datasync(): void {
    this.#sync('datasync');
  }

  sync(): void {
    this.#sync('sync');
  }

  truncate(length: number): void {
    checkRange(Number.isSafeInteger(length) && length >= 0, 'len', length);
    const names = this.#names();
    const entry = this.#context.log.start({ kind: 'truncate', ...names, sizeBytes: length });
    this.#logged(entry, () => {
      this.#checkOpen('ftruncate');
      if (!this.#writable) throw fileSystemError('EINVAL', 'ftruncate');
      const outcome = this.#context.faults.consider('truncate', [this.path]);
      if (outcome !== undefined) throw fileSystemError(errnoFor(outcome), 'ftruncate');
      this.#inode.live.truncate(length);
      this.#inode.pending.push({ kind: 'truncate', seq: entry.seq, sizeBytes: length });
    });
  }

  close(): void {
    const entry = this.#context.log.start({ kind: 'close', ...this.#names() });
    this.#logged(entry, () => {
      this.#checkOpen('close');
      this.#closed = true;
    });
  }

  /**
   * A failed sync models Linux after fsync returns EIO/ENOSPC: the kernel has marked the dirty
   * pages clean, so the file's pending changes are discarded from the durable path (no crash image
   * and no later sync will ever contain them) while reads in this process still see them.
   */
  #sync(kind: 'datasync' | 'sync'): void {
    const entry = this.#context.log.start({ kind, ...this.#names() });
    this.#logged(entry, () => {
      this.#checkOpen(kind === 'sync' ? 'fsync' : 'fdatasync');
      const outcome = this.#context.faults.consider(kind, [this.path]);
      if (outcome !== undefined) {
        this.#inode.pending = [];
        throw fileSystemError(errnoFor(outcome), kind === 'sync' ? 'fsync' : 'fdatasync');
      }
      this.#inode.makePendingDurable();
    });
  }

  /** The log fields every call through this handle carries. */
  #names(): { path: string; handle: number; inode: number } {
    return { path: this.path, handle: this.#id, inode: this.#inode.id };
  }

  #logged<T>(entry: { error?: string }, action: () => T): T {
    try {
      return action();
    } catch (error) {
      entry.error = errnoOf(error) ?? 'unknown';
      throw error;
    }
  }

  #checkOpen(syscall: string): void {
    if (this.#closed) throw fileSystemError('EBADF', syscall);
  }
}

function errnoFor(outcome: 'EIO' | 'ENOSPC' | 'short-write'): 'EIO' | 'ENOSPC' {
  return outcome === 'short-write' ? 'ENOSPC' : outcome;
}

/** Node's argument validation: offsets and lengths inside the buffer, a non-negative position. */
function checkSpan(buffer: Uint8Array, offset: number, length: number, position: number): void {
  const offsetOk = Number.isSafeInteger(offset) && offset >= 0 && offset <= buffer.length;
  checkRange(offsetOk, 'offset', offset);
  checkRange(
    Number.isSafeInteger(length) && length >= 0 && length <= buffer.length - offset,
    'length',
    length,
  );
  checkRange(Number.isSafeInteger(position) && position >= 0, 'position', position);
}
