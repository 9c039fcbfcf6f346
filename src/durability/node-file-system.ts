/** The real disk behind the `FileSystem` seam, through synchronous `node:fs` calls. */
import fs from 'node:fs';
import type { FileHandle, FileSystem, OpenMode } from './file-system.js';

const OPEN_FLAGS: Record<OpenMode, string> = {
  read: 'r',
  'read-write': 'r+',
  'create-new': 'wx+',
};

/**
 * One open file. After `close` every call throws EBADF: the number may already belong to another
 * file this process opened, and a stray write through it would land there.
 */
class NodeFileHandle implements FileHandle {
  readonly path: string;
  #descriptor: number | undefined;

  constructor(path: string, fd: number) {
    this.path = path;
    this.#descriptor = fd;
  }

  /** The open descriptor, or the EBADF error node:fs would give for `syscall` on a closed one. */
  #fd(syscall: string): number {
    if (this.#descriptor === undefined) {
      const message = `EBADF: bad file descriptor, ${syscall} (handle already closed): ${this.path}`;
      throw Object.assign(new Error(message), { code: 'EBADF', syscall, path: this.path });
    }
    return this.#descriptor;
  }

  size(): number {
    return fs.fstatSync(this.#fd('fstat')).size;
  }

  read(buffer: Uint8Array, bufferOffset: number, length: number, position: number): number {
    return fs.readSync(this.#fd('read'), buffer, bufferOffset, length, position);
  }

  write(buffer: Uint8Array, bufferOffset: number, length: number, position: number): number {
    return fs.writeSync(this.#fd('write'), buffer, bufferOffset, length, position);
  }

  datasync(): void {
    fs.fdatasyncSync(this.#fd('fdatasync'));
  }

  sync(): void {
    fs.fsyncSync(this.#fd('fsync'));
  }

  truncate(length: number): void {
    fs.ftruncateSync(this.#fd('ftruncate'), length);
  }

  close(): void {
    const fd = this.#fd('close');
    this.#descriptor = undefined;
    fs.closeSync(fd);
  }
}

export const nodeFileSystem: FileSystem = {
  open(path, mode) {
    return new NodeFileHandle(path, fs.openSync(path, OPEN_FLAGS[mode], 0o644));
  },
  readdir(path) {
    return fs.readdirSync(path);
  },
  mkdir(path) {
    fs.mkdirSync(path, { recursive: true });
  },
  rename(from, to) {
    fs.renameSync(from, to);
  },
  unlink(path) {
    fs.unlinkSync(path);
  },
  exists(path) {
    return fs.existsSync(path);
  },
  syncDirectory(path) {
    const fd = fs.openSync(path, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  },
};
