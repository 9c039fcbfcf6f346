/**
 * File contents as copy-on-write pages, so that a crash image shares every page it does not change
 * with the file system it came from. Building an image costs one array of page references per file;
 * a write into a shared page copies that one page.
 */

/** Bytes per page; also the granularity of copy-on-write. */
export const PAGE_BYTES = 4096;

/**
 * An immutable view of a file's contents. `pages[i]` holds bytes [i·PAGE_BYTES, (i+1)·PAGE_BYTES);
 * a missing page reads as zeros. Bytes of the last page beyond `sizeBytes` are zero. Nobody may
 * write into these pages: they are shared by every `PagedBytes` and snapshot made from them.
 */
export interface ContentSnapshot {
  readonly pages: readonly (Uint8Array | undefined)[];
  readonly sizeBytes: number;
}

export const EMPTY_CONTENT: ContentSnapshot = { pages: [], sizeBytes: 0 };

/** Mutable contents of one file; starts from a snapshot and copies a page on its first write. */
export class PagedBytes {
  #pages: (Uint8Array | undefined)[];
  /** `#owned[i]` is true when page i was copied or created here and may be written in place. */
  #owned: boolean[];
  #sizeBytes: number;

  constructor(from: ContentSnapshot = EMPTY_CONTENT) {
    this.#pages = from.pages.slice();
    this.#owned = new Array<boolean>(this.#pages.length).fill(false);
    this.#sizeBytes = from.sizeBytes;
  }

  get sizeBytes(): number {
    return this.#sizeBytes;
  }

  /** Copies up to `length` bytes at `position` into `target[targetOffset..]`; returns the count. */
  read(position: number, target: Uint8Array, targetOffset: number, length: number): number {
    const count = Math.max(0, Math.min(length, this.#sizeBytes - position));
    let done = 0;
    while (done < count) {
      const at = position + done;
      const index = Math.floor(at / PAGE_BYTES);
      const offset = at - index * PAGE_BYTES;
      const chunk = Math.min(count - done, PAGE_BYTES - offset);
      const page = this.#pages[index];
      if (page === undefined) target.fill(0, targetOffset + done, targetOffset + done + chunk);
      else target.set(page.subarray(offset, offset + chunk), targetOffset + done);
      done += chunk;
    }
    return count;
  }

  /** Writes `source[sourceOffset..sourceOffset+length)` at `position`, growing the size. */
  write(position: number, source: Uint8Array, sourceOffset: number, length: number): void {
    let done = 0;
    while (done < length) {
      const at = position + done;
      const index = Math.floor(at / PAGE_BYTES);
      const offset = at - index * PAGE_BYTES;
      const chunk = Math.min(length - done, PAGE_BYTES - offset);
      const from = sourceOffset + done;
      this.#writablePage(index).set(source.subarray(from, from + chunk), offset);
      done += chunk;
    }
    this.#sizeBytes = Math.max(this.#sizeBytes, position + length);
  }

  /** Sets the size; bytes past the old size read as zeros, bytes past the new one are dropped. */
  truncate(sizeBytes: number): void {
    if (sizeBytes < this.#sizeBytes) {
      const keptPages = Math.ceil(sizeBytes / PAGE_BYTES);
      this.#pages.length = keptPages;
      this.#owned.length = keptPages;
      const tail = sizeBytes % PAGE_BYTES;
      // The invariant "bytes past the size are zero" lets a later extension expose zeros for free.
      if (tail !== 0 && this.#pages[keptPages - 1] !== undefined) {
        this.#writablePage(keptPages - 1).fill(0, tail);
      }
    }
    this.#sizeBytes = sizeBytes;
  }

  /** Freezes the current contents; later writes here copy the pages they touch. */
  snapshot(): ContentSnapshot {
    this.#owned.fill(false);
    return { pages: this.#pages.slice(), sizeBytes: this.#sizeBytes };
  }

  /** The whole contents as one new array. */
  toBytes(): Uint8Array {
    const bytes = new Uint8Array(this.#sizeBytes);
    this.read(0, bytes, 0, this.#sizeBytes);
    return bytes;
  }

  #writablePage(index: number): Uint8Array {
    while (this.#pages.length <= index) {
      this.#pages.push(undefined);
      this.#owned.push(false);
    }
    const page = this.#pages[index];
    if (this.#owned[index] === true && page !== undefined) return page;
    const copy = page === undefined ? new Uint8Array(PAGE_BYTES) : page.slice();
    this.#pages[index] = copy;
    this.#owned[index] = true;
    return copy;
  }
}
