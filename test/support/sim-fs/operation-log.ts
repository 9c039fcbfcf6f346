/**
 * The ordered record of every mutating call made on a `SimFileSystem`, so a failing crash test can
 * print the trace that led to it and tests can assert on order ("every acknowledgement follows a
 * sync of its bytes"). Reads (`read`, `size`, `readdir`, `exists`) are not recorded.
 */
import { dirname } from 'node:path/posix';
import type { OpenMode } from '../../../src/durability/file-system.js';

/** Fields shared by every entry. `error` is the errno when the call threw. */
interface OperationBase {
  /** 1, 2, 3, ... in call order; pending operations and faults refer to calls by it. */
  readonly seq: number;
  /** The normalised absolute path the call named (for handle calls: the path it was opened as). */
  readonly path: string;
  error?: string;
}

/** Calls through an open handle name it (`handle`) and the file it refers to (`inode`). */
interface HandleFields {
  readonly handle: number;
  readonly inode: number;
}

export type Operation = OperationBase &
  (
    | {
        readonly kind: 'open';
        readonly mode: OpenMode;
        /** Null until the open succeeds. */
        handle: number | null;
        inode: number | null;
      }
    | (HandleFields & {
        readonly kind: 'write';
        readonly position: number;
        readonly length: number;
        written: number;
      })
    | (HandleFields & { readonly kind: 'truncate'; readonly sizeBytes: number })
    | (HandleFields & { readonly kind: 'datasync' })
    | (HandleFields & { readonly kind: 'sync' })
    | (HandleFields & { readonly kind: 'close' })
    | { readonly kind: 'rename'; readonly to: string }
    | { readonly kind: 'unlink' }
    | { readonly kind: 'syncDirectory' }
    /** `created` lists the directories this call actually created, outermost first. */
    | { readonly kind: 'mkdir'; created: string[] }
    /** A marker from the test itself, e.g. "acknowledged record 7". */
    | { readonly kind: 'note'; readonly text: string }
  );

export type OperationKind = Operation['kind'];

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type OperationFields = DistributiveOmit<Operation, 'seq' | 'error'>;

export class OperationLog {
  readonly #entries: Operation[] = [];

  /** Every entry so far, in call order; an entry's results are filled in when its call returns. */
  get entries(): readonly Operation[] {
    return this.#entries;
  }

  /** Sequence number of the latest entry; 0 when empty. */
  get lastSeq(): number {
    return this.#entries.length;
  }

  /** Appends an entry and returns it; the caller fills in results (`written`, `error`) later. */
  start<K extends OperationKind>(
    fields: Extract<OperationFields, { kind: K }>,
  ): Extract<Operation, { kind: K }> {
    const entry = { ...fields, seq: this.#entries.length + 1 } as Extract<Operation, { kind: K }>;
    this.#entries.push(entry);
    return entry;
  }

  /** Records a test's own marker between calls, for traces and ordering assertions. */
  note(text: string): number {
    return this.start({ kind: 'note', path: '', text }).seq;
  }

  /** The last `count` entries, one per line, for failure messages. */
  format(count = this.#entries.length): string {
    return this.#entries.slice(-count).map(formatOperation).join('\n');
  }

  /**
   * Writes and truncates issued before `beforeSeq` that no successful sync of their file covers.
   * A change is covered only by the first sync of its file after it: when that sync failed, the
   * change is lost and no later sync covers it (see the fsync-failure model in `SimFileSystem`).
   */
  unsyncedDataChanges(beforeSeq = Number.POSITIVE_INFINITY): Operation[] {
    const open = new Map<number, Operation[]>();
    const lost: Operation[] = [];
    for (const entry of this.#entries) {
      if (entry.seq >= beforeSeq) break;
      if (entry.kind === 'write' || entry.kind === 'truncate') {
        const changed = entry.kind === 'write' ? entry.written > 0 : entry.error === undefined;
        if (changed) open.set(entry.inode, [...(open.get(entry.inode) ?? []), entry]);
      } else if (entry.kind === 'datasync' || entry.kind === 'sync') {
        if (entry.error !== undefined) lost.push(...(open.get(entry.inode) ?? []));
        open.delete(entry.inode);
      }
    }
    return [...lost, ...[...open.values()].flat()].sort((a, b) => a.seq - b.seq);
  }

  /**
   * Directory entry changes (file creation, rename, unlink, mkdir) issued before `beforeSeq` that
   * no successful `syncDirectory` of the directory holding them covers, with that directory. A
   * rename across directories needs both directories synced and is listed once for each that is
   * not.
   */
  unsyncedEntryChanges(beforeSeq = Number.POSITIVE_INFINITY): EntryChange[] {
    const open = new Map<string, EntryChange[]>();
    const lost: EntryChange[] = [];
    const add = (operation: Operation, path: string): void => {
      const directory = dirname(path);
      open.set(directory, [...(open.get(directory) ?? []), { operation, directory }]);
    };
    for (const entry of this.#entries) {
      if (entry.seq >= beforeSeq) break;
      if (entry.error !== undefined && entry.kind !== 'syncDirectory') continue;
      if (entry.kind === 'open' && entry.mode === 'create-new') add(entry, entry.path);
      if (entry.kind === 'unlink') add(entry, entry.path);
      if (entry.kind === 'mkdir') for (const created of entry.created) add(entry, created);
      if (entry.kind === 'rename' && entry.path !== entry.to) {
        add(entry, entry.path);
        if (dirname(entry.to) !== dirname(entry.path)) add(entry, entry.to);
      }
      if (entry.kind === 'syncDirectory') {
        if (entry.error !== undefined) lost.push(...(open.get(entry.path) ?? []));
        open.delete(entry.path);
      }
    }
    const changes = [...lost, ...[...open.values()].flat()];
    return changes.sort((a, b) => a.operation.seq - b.operation.seq);
  }
}

export interface EntryChange {
  readonly operation: Operation;
  /** The directory whose sync would make the change durable. */
  readonly directory: string;
}

/** One line per call: `#4 write /db/seg-1 h2 @4096+56 → 56`, `#5 datasync /db/seg-1 h2 ✗ EIO`. */
export function formatOperation(entry: Operation): string {
  const failed = entry.error === undefined ? '' : ` ✗ ${entry.error}`;
  const head = `#${entry.seq} ${entry.kind}`;
  switch (entry.kind) {
    case 'open':
      const handle = entry.handle === null ? '' : ` → h${entry.handle}`;
      return `${head} ${entry.path} ${entry.mode}${handle}${failed}`;
    case 'write':
      const span = `@${entry.position}+${entry.length}`;
      return `${head} ${entry.path} h${entry.handle} ${span} → ${entry.written}${failed}`;
    case 'truncate':
      return `${head} ${entry.path} h${entry.handle} to ${entry.sizeBytes}${failed}`;
    case 'datasync':
    case 'sync':
    case 'close':
      return `${head} ${entry.path} h${entry.handle}${failed}`;
    case 'rename':
      return `${head} ${entry.path} → ${entry.to}${failed}`;
    case 'mkdir':
      return `${head} ${entry.path}${entry.created.length === 0 ? ' (existed)' : ''}${failed}`;
    case 'note':
      return `${head} ${entry.text}`;
    default:
      return `${head} ${entry.path}${failed}`;
  }
}
