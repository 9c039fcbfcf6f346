/**
 * Moves bytes recovery will not keep into `quarantine/`, durably, before the log is cut.
 *
 * Order matters: the quarantine copy is written and fsynced (file, then directory) before the
 * segment is truncated, so a crash between the two steps leaves the bytes in both places, never in
 * neither. A repeated recovery then writes a second copy under a new name, which is harmless.
 */
import path from 'node:path';
import type { FileSystem } from '../durability/index.js';
import { syncDirectory } from '../durability/index.js';
import { FsyncFailedError, IoError } from '../errors.js';

export const QUARANTINE_DIRECTORY = 'quarantine';

export class Quarantine {
  readonly directory: string;
  readonly #journalDirectory: string;
  readonly #fileSystem: FileSystem;
  readonly #nowMs: () => number;

  constructor(journalDirectory: string, fileSystem: FileSystem, nowMs: () => number = Date.now) {
    this.#journalDirectory = journalDirectory;
    this.directory = path.join(journalDirectory, QUARANTINE_DIRECTORY);
    this.#fileSystem = fileSystem;
    this.#nowMs = nowMs;
  }

  /** Durably stores `bytes` taken from global `offset`; returns the file's path. */
  keepBytes(offset: number, bytes: Uint8Array, label: string): string {
    this.#ensureDirectory();
    const target = this.#uniquePath(offset, label, '.bin');
    let handle;
    try {
      handle = this.#fileSystem.open(target, 'create-new');
    } catch (error) {
      throw new IoError(target, 'cannot create quarantine file', { cause: error });
    }
    try {
      const written = handle.write(bytes, 0, bytes.length, 0);
      if (written !== bytes.length) {
        throw new IoError(target, `short write (${written} of ${bytes.length} bytes)`);
      }
      try {
        handle.sync();
      } catch (error) {
        throw new FsyncFailedError(target, { cause: error });
      }
    } catch (error) {
      throw error instanceof IoError || error instanceof FsyncFailedError
        ? error
        : new IoError(target, 'cannot write quarantine file', { cause: error });
    } finally {
      handle.close();
    }
    syncDirectory(this.directory, this.#fileSystem);
    return target;
  }

  /** Durably moves a whole file (a segment) into quarantine; returns its new path. */
  keepFile(source: string, offset: number, label: string): string {
    this.#ensureDirectory();
    const target = this.#uniquePath(offset, label, '.wal');
    try {
      this.#fileSystem.rename(source, target);
    } catch (error) {
      throw new IoError(source, 'cannot move file into quarantine', { cause: error });
    }
    syncDirectory(this.directory, this.#fileSystem);
    syncDirectory(path.dirname(source), this.#fileSystem);
    return target;
  }

  #ensureDirectory(): void {
    if (this.#fileSystem.exists(this.directory)) return;
    try {
      this.#fileSystem.mkdir(this.directory);
    } catch (error) {
      throw new IoError(this.directory, 'cannot create quarantine directory', { cause: error });
    }
    syncDirectory(this.#journalDirectory, this.#fileSystem);
  }

  #uniquePath(offset: number, label: string, suffix: string): string {
    const stem = `${offset.toString(16).padStart(16, '0')}-${this.#nowMs()}-${label}`;
    let candidate = path.join(this.directory, `${stem}${suffix}`);
    for (let n = 1; this.#fileSystem.exists(candidate); n++) {
      candidate = path.join(this.directory, `${stem}-${n}${suffix}`);
    }
    return candidate;
  }
}
