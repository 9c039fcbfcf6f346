/** The real disk behind the `FileSystem` seam, through synchronous `node:fs` calls. */
import fs from 'node:fs';
import type { FileHandle, FileSystem, OpenMode } from './file-system.js';

const OPEN_FLAGS: Record<OpenMode, string> = {
  read: 'r',
  'read-write': 'r+',
  'create-new': 'wx+',
};

class NodeFileHandle implements FileHandle {
  readonly path: string;
  readonly #fd: number;

  constructor(path: string, fd: number) {
    this.path = path;
    this.#fd = fd;
  }

  size(): number {
    return fs.fstatSync(this.#fd).size;
  }

  read(buffer: Uint8Array, bufferOffset: number, length: number, position: number): number {
    return fs.readSync(this.#fd, buffer, bufferOffset, length, position);
  }

  write(buffer: Uint8Array, bufferOffset: number, length: number, position: number): number {
    return fs.writeSync(this.#fd, buffer, bufferOffset, length, position);
  }

  datasync(): void {
    fs.fdatasyncSync(this.#fd);
  }

  sync(): void {
    fs.fsyncSync(this.#fd);
  }

  truncate(length: number): void {
    fs.ftruncateSync(this.#fd, length);
  }

  close(): void {
    fs.closeSync(this.#fd);
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
