/**
 * Exclusive advisory locks that the kernel releases when their holder dies.
 *
 * On Linux these are open-file-description locks (`fcntl(F_OFD_SETLK)`, through fs-native-extensions):
 * unlike POSIX record locks they exclude a second open *in the same process* too, and unlike lock
 * files nothing stale is left behind by a crash. The lock file's content (the holder's pid) is for
 * people only; the lock is the kernel's.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { FileLockedError, IoError } from '../errors.js';

interface NativeLocks {
  tryLock(fd: number): boolean;
  waitForLock(fd: number): Promise<void>;
  unlock(fd: number): void;
}

const nativeLocks = createRequire(import.meta.url)('fs-native-extensions') as NativeLocks;

/** The name of the lock file a locked directory holds. */
export const LOCK_FILE_NAME = 'LOCK';

export class FileLock {
  readonly path: string;
  #fd: number | undefined;
  #held = false;

  private constructor(filePath: string, fd: number) {
    this.path = filePath;
    this.#fd = fd;
  }

  /** Opens (creating if needed) the file to lock; takes no lock yet. */
  static open(filePath: string): FileLock {
    try {
      // An exclusive lock needs a writable descriptor.
      return new FileLock(filePath, fs.openSync(filePath, 'a+', 0o644));
    } catch (error) {
      throw new IoError(filePath, 'cannot open lock file', { cause: error });
    }
  }

  get held(): boolean {
    return this.#held;
  }

  /** Takes the lock without waiting. Returns false if another handle holds it. */
  tryLock(): boolean {
    const fd = this.#openFd();
    try {
      this.#held = nativeLocks.tryLock(fd);
    } catch (error) {
      throw new IoError(this.path, 'cannot lock', { cause: error });
    }
    return this.#held;
  }

  /** Waits until the lock is granted. */
  async lock(): Promise<void> {
    const fd = this.#openFd();
    try {
      await nativeLocks.waitForLock(fd);
    } catch (error) {
      throw new IoError(this.path, 'cannot lock', { cause: error });
    }
    this.#held = true;
  }

  unlock(): void {
    const fd = this.#openFd();
    try {
      nativeLocks.unlock(fd);
    } catch (error) {
      throw new IoError(this.path, 'cannot unlock', { cause: error });
    }
    this.#held = false;
  }

  /** Releases the lock (if held) and the descriptor. Idempotent. */
  close(): void {
    if (this.#fd === undefined) return;
    const fd = this.#fd;
    this.#fd = undefined;
    this.#held = false;
    fs.closeSync(fd);
  }

  /** Writes the holder's pid into the lock file, for whoever wonders who holds it. */
  recordHolder(): void {
    const fd = this.#openFd();
    fs.ftruncateSync(fd, 0);
    fs.writeSync(fd, `${process.pid}\n`, 0);
  }

  #openFd(): number {
    if (this.#fd === undefined) throw new IoError(this.path, 'lock file is closed');
    return this.#fd;
  }
}

/**
 * Takes the exclusive lock of a directory (its `LOCK` file), or throws `FileLockedError` naming the
 * directory if another holder, in this process or another, has it. The caller releases it with
 * `close()`.
 */
export function lockDirectory(directory: string): FileLock {
  const lock = FileLock.open(path.join(directory, LOCK_FILE_NAME));
  let granted = false;
  try {
    granted = lock.tryLock();
  } finally {
    if (!granted) lock.close();
  }
  if (!granted) throw new FileLockedError(directory);
  lock.recordHolder();
  return lock;
}
