/**
 * The simulated file system's inodes. Each keeps two states: the *durable* one (what survives a
 * crash for certain) and the *live* one (what this process reads), plus the list of *pending*
 * operations since the last sync, from which crash images choose what else survived.
 *
 * Invariant, until a sync fails: live = durable with every pending operation applied in order.
 * A failed sync discards the pending list but not the live state (see `SimFileSystem`), after which
 * live may hold changes that will never become durable.
 */
import { type ContentSnapshot, EMPTY_CONTENT, PagedBytes } from './paged-bytes.js';

/** A change to a file's data or size, numbered with the sequence number of its call. */
export type DataOperation =
  | {
      readonly kind: 'write';
      readonly seq: number;
      readonly position: number;
      /** A private copy of the written bytes. */
      readonly bytes: Uint8Array;
    }
  | { readonly kind: 'truncate'; readonly seq: number; readonly sizeBytes: number };

/**
 * A change to one directory's entries. A rename within one directory is one atomic `rename`; a
 * rename across directories is an `unlink` in the source and a `link` in the target, each durable
 * only after its own directory is synced.
 */
export type EntryOperation =
  | { readonly kind: 'link'; readonly seq: number; readonly name: string; readonly inode: Inode }
  | { readonly kind: 'unlink'; readonly seq: number; readonly name: string; readonly inode: Inode }
  | {
      readonly kind: 'rename';
      readonly seq: number;
      readonly from: string;
      readonly to: string;
      readonly inode: Inode;
    };

export type PendingOperation = DataOperation | EntryOperation;

export class FileInode {
  readonly kind = 'file';
  readonly id: number;
  durable: ContentSnapshot;
  readonly live: PagedBytes;
  pending: DataOperation[] = [];

  constructor(id: number, durable: ContentSnapshot = EMPTY_CONTENT) {
    this.id = id;
    this.durable = durable;
    this.live = new PagedBytes(durable);
  }

  /** fsync succeeded: the pending operations are durable. */
  makePendingDurable(): void {
    this.durable = applyDataOperations(this.durable, this.pending);
    this.pending = [];
  }
}

export class DirectoryInode {
  readonly kind = 'directory';
  readonly id: number;
  durable: ReadonlyMap<string, Inode>;
  readonly live: Map<string, Inode>;
  pending: EntryOperation[] = [];

  constructor(id: number, durable: ReadonlyMap<string, Inode> = new Map()) {
    this.id = id;
    this.durable = durable;
    this.live = new Map(durable);
  }

  /** Directory fsync succeeded: the pending entry operations are durable. */
  makePendingDurable(): void {
    this.durable = applyEntryOperations(this.durable, this.pending);
    this.pending = [];
  }
}

export type Inode = FileInode | DirectoryInode;

export function applyDataOperation(bytes: PagedBytes, operation: DataOperation): void {
  if (operation.kind === 'write') {
    bytes.write(operation.position, operation.bytes, 0, operation.bytes.length);
  } else {
    bytes.truncate(operation.sizeBytes);
  }
}

/** `base` with `operations` applied in order; `base` is left unchanged. */
export function applyDataOperations(
  base: ContentSnapshot,
  operations: readonly DataOperation[],
): ContentSnapshot {
  if (operations.length === 0) return base;
  const bytes = new PagedBytes(base);
  for (const operation of operations) applyDataOperation(bytes, operation);
  return bytes.snapshot();
}

/**
 * `base` with `operations` applied in order. Operations apply by effect, so any subset of a
 * directory's pending list yields a well-defined state: an unlink removes the name only while it
 * still names the same inode, and a rename whose source never became durable still installs the
 * target name.
 */
export function applyEntryOperations(
  base: ReadonlyMap<string, Inode>,
  operations: readonly EntryOperation[],
): ReadonlyMap<string, Inode> {
  if (operations.length === 0) return base;
  const entries = new Map(base);
  for (const operation of operations) {
    if (operation.kind === 'link') {
      entries.set(operation.name, operation.inode);
    } else if (operation.kind === 'unlink') {
      if (entries.get(operation.name) === operation.inode) entries.delete(operation.name);
    } else {
      if (entries.get(operation.from) === operation.inode) entries.delete(operation.from);
      entries.set(operation.to, operation.inode);
    }
  }
  return entries;
}
