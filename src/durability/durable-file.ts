/**
 * A file written at its end under a durability level: the sync policy in one place.
 *
 * `write` appends and counts a pending write; the level decides whether that write is synced before
 * `write` returns. Under `batched`, a timer syncs pending writes `maxDelayMs` after the last sync even
 * when no further write comes; its outcome is reported through `onBackgroundSync`, and a failure is
 * also kept and thrown by the next call, so no sync result is ever lost.
 *
 * Fail-stop: once a write or a sync has failed, every later call throws that first error. A failed
 * fdatasync is never retried (the kernel may have dropped the dirty pages, so a retry that succeeds
 * would prove nothing); the owner must close and reopen, which recovers from what is on disk.
 */
import { FsyncFailedError, IoError } from '../errors.js';
import type { DurabilityLevel } from './durability-level.js';
import type { FileHandle } from './file-system.js';

export interface DurableFileOptions {
  /** Called after every timer-driven sync: with no argument on success, with the error on failure. */
  onBackgroundSync?: (error?: Error) => void;
  /** Clock in milliseconds; injectable so tests of the policy need not sleep. */
  nowMs?: () => number;
}

export class DurableFile {
  readonly level: DurabilityLevel;
  readonly #handle: FileHandle;
  readonly #onBackgroundSync: ((error?: Error) => void) | undefined;
  readonly #nowMs: () => number;
  #sizeBytes: number;
  #pendingWrites = 0;
  #lastSyncMs: number;
  #timer: NodeJS.Timeout | undefined;
  #failure: Error | undefined;
  #closed = false;

  /** Takes ownership of `handle`; appends start at its current size. */
  constructor(handle: FileHandle, level: DurabilityLevel, options: DurableFileOptions = {}) {
    this.level = level;
    this.#handle = handle;
    this.#onBackgroundSync = options.onBackgroundSync;
    this.#nowMs = options.nowMs ?? (() => performance.now());
    this.#sizeBytes = handle.size();
    this.#lastSyncMs = this.#nowMs();
  }

  get path(): string {
    return this.#handle.path;
  }

  /** Writes appended since the last completed sync. */
  get pendingWrites(): number {
    return this.#pendingWrites;
  }

  /** Bytes written so far (durable or not). */
  get sizeBytes(): number {
    return this.#sizeBytes;
  }

  /** The first write or sync error, if any: the file accepts nothing more. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /**
   * Appends `bytes[0..length)` as `writes` logical writes (a group commit counts each record), then
   * syncs if the level says so. Returns true if the bytes are durable on return.
   * A short write is a failure: nothing is ever appended after a partial write.
   */
  write(bytes: Uint8Array, length: number = bytes.length, writes = 1): boolean {
    this.#checkUsable();
    let written: number;
    try {
      written = this.#handle.write(bytes, 0, length, this.#sizeBytes);
    } catch (error) {
      throw this.#fail(new IoError(this.path, 'write failed', { cause: error }));
    }
    if (written !== length) {
      this.#sizeBytes += written;
      throw this.#fail(new IoError(this.path, `short write (${written} of ${length} bytes)`));
    }
    this.#sizeBytes += length;
    this.#pendingWrites += writes;
    const synced = this.maybeSync();
    if (!synced) this.#armTimer();
    return synced;
  }

  /** Syncs if the level's policy calls for it now. Returns true if a sync happened. */
  maybeSync(): boolean {
    this.#checkUsable();
    const level = this.level;
    let due: boolean;
    switch (level.kind) {
      case 'immediate':
        due = this.#pendingWrites > 0;
        break;
      case 'batched':
        due =
          this.#pendingWrites >= level.maxWrites ||
          this.#nowMs() - this.#lastSyncMs >= level.maxDelayMs;
        break;
      case 'eventual':
        due = false;
        break;
    }
    if (due) this.forceSync();
    return due;
  }

  /** Syncs regardless of the level (fdatasync); the pending count resets. */
  forceSync(): void {
    this.#checkUsable();
    try {
      this.#handle.datasync();
    } catch (error) {
      throw this.#fail(new FsyncFailedError(this.path, { cause: error }));
    }
    this.#pendingWrites = 0;
    this.#lastSyncMs = this.#nowMs();
    this.#clearTimer();
  }

  /**
   * Syncs what is pending, then closes the file. A failed sync is thrown, never swallowed; the
   * handle is closed either way. Closing a file that already failed only releases the handle.
   */
  close(): void {
    if (this.#closed) return;
    this.#clearTimer();
    try {
      if (this.#failure === undefined && this.#pendingWrites > 0) this.forceSync();
    } finally {
      this.#closed = true;
      this.#handle.close();
    }
  }

  #armTimer(): void {
    if (this.level.kind !== 'batched' || this.#timer !== undefined || this.#pendingWrites === 0) return;
    const elapsedMs = this.#nowMs() - this.#lastSyncMs;
    const delayMs = Math.max(0, this.level.maxDelayMs - elapsedMs);
    this.#timer = setTimeout(() => this.#syncFromTimer(), delayMs);
    // A pending timer must not keep the process alive: exiting without close is a crash, which the
    // journal's recovery handles, and page-cache data survives a process exit anyway.
    this.#timer.unref();
  }

  #syncFromTimer(): void {
    this.#timer = undefined;
    if (this.#closed || this.#failure !== undefined || this.#pendingWrites === 0) return;
    try {
      this.forceSync();
      this.#onBackgroundSync?.();
    } catch (error) {
      this.#onBackgroundSync?.(error as Error);
    }
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #checkUsable(): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#closed) throw new IoError(this.path, 'file is closed');
  }

  #fail(error: Error): Error {
    this.#failure = error;
    this.#clearTimer();
    return error;
  }
}
