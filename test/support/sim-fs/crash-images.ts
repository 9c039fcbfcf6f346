/**
 * The post-crash states the fault model allows at one moment, as specifications that
 * `buildImage` turns into fresh, fully durable inode trees.
 *
 * Every pending operation (a file write or truncate not yet covered by a successful sync; a
 * directory entry change not yet covered by a successful directory sync) is a unit that survives a
 * crash or not, independently of the others:
 * - `dropped`: every pending operation lost (the baseline);
 * - `persisted`: every pending operation durable;
 * - `subset`: every other combination when there are few pending operations, otherwise every
 *   in-order prefix, every "all but one" and a seeded sample (holes, lost directory entries);
 * - `torn`: one write cut after k bytes, the rest of its extent left as old content or zeros
 *   (every k below `tornPrefixBytes`, a seeded sample above);
 * - `zero-tail`: a file's size grew but the data never landed (zeros).
 * A torn or zero-tail image keeps the earlier pending writes of the same file, loses its later ones
 * and other files' pending data, and keeps every pending directory entry change so the file is
 * reachable under its newest name.
 */
import { createRandom, type Random } from '../random.js';
import {
  applyDataOperations,
  applyEntryOperations,
  DirectoryInode,
  FileInode,
  type DataOperation,
  type Inode,
  type PendingOperation,
} from './inodes.js';
import { type ContentSnapshot, PagedBytes } from './paged-bytes.js';

export const CRASH_IMAGE_KINDS = ['dropped', 'persisted', 'subset', 'torn', 'zero-tail'] as const;
export type CrashImageKind = (typeof CRASH_IMAGE_KINDS)[number];

/** Up to this many pending operations, `subset` images cover every combination (2^n). */
export const EXHAUSTIVE_OPERATIONS_MAX = 6;
/** Random combinations drawn, beyond prefixes and "all but one", when there are more. */
export const SAMPLED_SUBSETS_DEFAULT = 32;
/** A torn write is cut after every k in [1, this) bytes: a whole record header and then some. */
export const TORN_PREFIX_BYTES_DEFAULT = 64;
/** Further cut points drawn at random from the rest of the write. */
export const TORN_SAMPLED_OFFSETS_DEFAULT = 8;

export interface CrashImageOptions {
  /** Seed of every sampled choice; the same seed and state give the same images. Default 1. */
  readonly seed?: number;
  /** Which kinds to produce; default all. */
  readonly kinds?: readonly CrashImageKind[];
  readonly exhaustiveOperationsMax?: number;
  readonly sampledSubsets?: number;
  readonly tornPrefixBytes?: number;
  readonly tornSampledOffsets?: number;
}

export interface ImageSpec {
  readonly kind: CrashImageKind;
  /** One line for failure messages; `#n` refers to entry n of the operation log. */
  readonly description: string;
  /** Sequence numbers of the pending operations that became durable; every other one was lost. */
  readonly persisted: ReadonlySet<number>;
  /** Files whose post-crash data is given directly, overriding `persisted` for their data. */
  readonly contents: ReadonlyMap<FileInode, ContentSnapshot>;
}

const NO_CONTENTS: ReadonlyMap<FileInode, ContentSnapshot> = new Map();

/** Every inode some crash image could contain: reachable through durable or pending entries. */
export function crashableInodes(root: DirectoryInode): Inode[] {
  const seen = new Set<Inode>([root]);
  const queue: Inode[] = [root];
  for (let i = 0; i < queue.length; i++) {
    const inode = queue[i];
    if (inode === undefined || inode.kind === 'file') continue;
    const children = [...inode.durable.values(), ...inode.pending.map((op) => op.inode)];
    for (const child of children) {
      if (!seen.has(child)) {
        seen.add(child);
        queue.push(child);
      }
    }
  }
  return queue;
}

/** Every pending operation of `inodes`, in call order. */
export function pendingOperations(inodes: readonly Inode[]): PendingOperation[] {
  return inodes.flatMap((inode): PendingOperation[] => inode.pending).sort((a, b) => a.seq - b.seq);
}

export function* imageSpecs(
  root: DirectoryInode,
  options: CrashImageOptions = {},
): Generator<ImageSpec> {
  const kinds = new Set(options.kinds ?? CRASH_IMAGE_KINDS);
  const random = createRandom(options.seed ?? 1);
  const inodes = crashableInodes(root);
  const pending = pendingOperations(inodes);
  const all = new Set(pending.map((op) => op.seq));
  if (kinds.has('dropped')) {
    yield spec('dropped', `dropped: all ${pending.length} pending operations lost`, new Set());
  }
  if (pending.length === 0) return;
  if (kinds.has('persisted')) yield spec('persisted', 'persisted: every pending operation', all);
  if (kinds.has('subset')) yield* subsetSpecs(pending, options, random);
  const entrySeqs = new Set(pending.filter((op) => !isDataOperation(op)).map((op) => op.seq));
  for (const inode of inodes) {
    if (inode.kind !== 'file' || inode.pending.length === 0) continue;
    if (kinds.has('torn')) yield* tornSpecs(inode, entrySeqs, options, random);
    if (kinds.has('zero-tail')) yield* zeroTailSpecs(inode, entrySeqs);
  }
}

function* subsetSpecs(
  pending: readonly PendingOperation[],
  options: CrashImageOptions,
  random: Random,
): Generator<ImageSpec> {
  const n = pending.length;
  const describe = (kept: readonly boolean[]): ImageSpec => {
    const persisted = new Set(pending.filter((_, i) => kept[i]).map((op) => op.seq));
    const lost = pending.filter((_, i) => kept[i] !== true).map((op) => `#${op.seq}`);
    const label = `subset: lost ${abbreviate(lost)} of ${n} pending operations`;
    return spec('subset', label, persisted);
  };
  if (n <= (options.exhaustiveOperationsMax ?? EXHAUSTIVE_OPERATIONS_MAX)) {
    for (let mask = 1; mask < 2 ** n - 1; mask++) {
      yield describe(pending.map((_, i) => (mask & (1 << i)) !== 0));
    }
    return;
  }
  const seen = new Set<string>();
  const candidates = function* (): Generator<boolean[]> {
    for (let k = 1; k < n; k++) yield pending.map((_, i) => i < k);
    for (let k = 0; k < n; k++) yield pending.map((_, i) => i !== k);
    const sampled = options.sampledSubsets ?? SAMPLED_SUBSETS_DEFAULT;
    for (let s = 0; s < sampled; s++) yield pending.map(() => random.nextInt(2) === 1);
  };
  for (const kept of candidates()) {
    const key = kept.map((bit) => (bit ? '1' : '0')).join('');
    if (seen.has(key) || !key.includes('0') || !key.includes('1')) continue;
    seen.add(key);
    yield describe(kept);
  }
}

function* tornSpecs(
  file: FileInode,
  entrySeqs: ReadonlySet<number>,
  options: CrashImageOptions,
  random: Random,
): Generator<ImageSpec> {
  const prefixBytes = options.tornPrefixBytes ?? TORN_PREFIX_BYTES_DEFAULT;
  const sampled = options.tornSampledOffsets ?? TORN_SAMPLED_OFFSETS_DEFAULT;
  for (const [index, op] of file.pending.entries()) {
    if (op.kind !== 'write' || op.bytes.length < 2) continue;
    const base = applyDataOperations(file.durable, file.pending.slice(0, index));
    for (const cut of tornOffsets(op.bytes.length, prefixBytes, sampled, random)) {
      for (const remainder of ['old', 'zeros'] as const) {
        const bytes = new PagedBytes(base);
        bytes.write(op.position, op.bytes, 0, cut);
        const rest = op.bytes.length - cut;
        if (remainder === 'zeros') bytes.write(op.position + cut, new Uint8Array(rest), 0, rest);
        const where = `#${op.seq} write @${op.position}+${op.bytes.length}`;
        const label = `torn: ${where} kept ${cut} bytes, rest ${remainder}`;
        yield spec('torn', label, entrySeqs, new Map([[file, bytes.snapshot()]]));
      }
    }
  }
}

/** Cut points of a write of `length` bytes: 1..prefixBytes-1, then `sampled` drawn above. */
export function tornOffsets(
  length: number,
  prefixBytes: number,
  sampled: number,
  random: Random,
): number[] {
  const offsets = new Set<number>();
  for (let k = 1; k < Math.min(prefixBytes, length); k++) offsets.add(k);
  const low = Math.max(1, prefixBytes);
  for (let s = 0; s < sampled && low < length; s++) offsets.add(low + random.nextInt(length - low));
  return [...offsets].sort((a, b) => a - b);
}

/**
 * One image per write that grew the file (size = the write's end, data zeros past the old size),
 * and, when several writes are pending, one with the size of all of them and no data at all.
 */
function* zeroTailSpecs(file: FileInode, entrySeqs: ReadonlySet<number>): Generator<ImageSpec> {
  let sizeBytes = file.durable.sizeBytes;
  for (const [index, op] of file.pending.entries()) {
    const end = op.kind === 'write' ? op.position + op.bytes.length : op.sizeBytes;
    if (op.kind === 'write' && end > sizeBytes) {
      const bytes = new PagedBytes(applyDataOperations(file.durable, file.pending.slice(0, index)));
      bytes.truncate(end);
      const where = `#${op.seq} write @${op.position}+${op.bytes.length}`;
      const label = `zero tail: ${where} size grew, no data`;
      yield spec('zero-tail', label, entrySeqs, new Map([[file, bytes.snapshot()]]));
    }
    sizeBytes = op.kind === 'write' ? Math.max(sizeBytes, end) : end;
  }
  const writes = file.pending.filter((op) => op.kind === 'write').length;
  if (writes > 1 && sizeBytes > file.durable.sizeBytes) {
    const bytes = new PagedBytes(file.durable);
    bytes.truncate(sizeBytes);
    const label = `zero tail: all ${writes} pending writes, size grew to ${sizeBytes}, no data`;
    yield spec('zero-tail', label, entrySeqs, new Map([[file, bytes.snapshot()]]));
  }
}

/**
 * A fresh tree holding what `spec` says survived: every inode durable, nothing pending. Inodes
 * keep their ids, and an inode reachable under two names stays one inode.
 */
export function buildImage(root: DirectoryInode, spec: ImageSpec): DirectoryInode {
  const copies = new Map<Inode, Inode>();
  const copy = (inode: Inode): Inode => {
    const done = copies.get(inode);
    if (done !== undefined) return done;
    if (inode.kind === 'file') {
      const kept = inode.pending.filter((op) => spec.persisted.has(op.seq));
      const content = spec.contents.get(inode) ?? applyDataOperations(inode.durable, kept);
      const file = new FileInode(inode.id, content);
      copies.set(inode, file);
      return file;
    }
    // Registered before its entries are copied, so an image whose surviving renames form a
    // cycle of directories still terminates.
    const directory = new DirectoryInode(inode.id);
    copies.set(inode, directory);
    const kept = inode.pending.filter((op) => spec.persisted.has(op.seq));
    const entries = new Map<string, Inode>();
    for (const [name, child] of applyEntryOperations(inode.durable, kept)) {
      entries.set(name, copy(child));
    }
    directory.durable = entries;
    for (const [name, child] of entries) directory.live.set(name, child);
    return directory;
  };
  const image = copy(root);
  if (image.kind !== 'directory') throw new Error('the root of an image is a directory');
  return image;
}

function spec(
  kind: CrashImageKind,
  description: string,
  persisted: ReadonlySet<number>,
  contents: ReadonlyMap<FileInode, ContentSnapshot> = NO_CONTENTS,
): ImageSpec {
  return { kind, description, persisted, contents };
}

function isDataOperation(op: PendingOperation): op is DataOperation {
  return op.kind === 'write' || op.kind === 'truncate';
}

/** `#3 #4 #5` for short lists, `#3 #4 … (+9)` beyond eight. */
function abbreviate(labels: readonly string[]): string {
  const shown = labels.slice(0, 8).join(' ');
  return labels.length > 8 ? `${shown} … (+${labels.length - 8})` : shown;
}
