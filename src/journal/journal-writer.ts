/**
 * The journal's single writer: group commit, segment rotation, the seal of a clean close, and the
 * fail-stop rule.
 *
 * Group commit: `append` queues the record and schedules one flush for the current turn of the
 * event loop; every append queued by then goes out in one write, followed (under `immediate`) by
 * one fdatasync. All I/O is synchronous, so nothing of flush n+1 is written before flush n's sync
 * has returned. Each record carries `durable-through`, how far the log was synced when it was
 * written; recovery uses it to tell a torn tail from corruption.
 *
 * Write path, in order (docs/ARCHITECTURE.md numbers the same steps):
 *   1. encode the queued records into one buffer;
 *   2. if the active segment would pass its size limit: fdatasync it, create the next segment,
 *      write and fsync its header, fsync the directory — all before any record goes into it;
 *   3. write the buffer at the end of the active segment (a short write fails the journal);
 *   4. fdatasync if the durability level calls for it (always under `immediate`);
 *   5. resolve the appends: under `immediate` only after step 4.
 * After any failure in 2–4 the journal rejects every waiting and later append until reopened.
 */
import path from 'node:path';
import type { FileSystem } from '../durability/index.js';
import { DurabilityLevel, DurableFile, syncDirectory } from '../durability/index.js';
import { ClosedError, FsyncFailedError, IoError, JournalFailedError } from '../errors.js';
import { FLUSHES_PER_LOOP_TURN, GROUP_COMMIT_MAX_BYTES, GROUP_COMMIT_MAX_RECORDS, SEGMENT_HEADER_BYTES } from '../limits.js';
import { BLAKE3_BYTES, blake3 } from '../checksum/index.js';
import { RECORD_KIND_DATA, RECORD_KIND_SEAL, encodeSegmentHeader, frameBytes, segmentFileName, writeFrame } from './format.js';
import { deliberateBug, withDeliberateHandleBugs } from './deliberate-bugs.js';
import { RecentRecords } from './recent-records.js';
import type { RecentBounds } from './recent-records.js';
import type { SegmentFile } from './recovery.js';

export interface AppendResult {
  /** Global offset of the record: pass it to `read`, or to `iterate`/`follow` to start there. */
  offset: number;
  /** BLAKE3-256 of the payload. */
  hash: Uint8Array;
}

/** The appends of one `appendMany` call: settled together, once all are acknowledged or one fails. */
interface AppendGroup {
  readonly results: AppendResult[];
  remaining: number;
  settled: boolean;
  readonly resolve: (results: AppendResult[]) => void;
  readonly reject: (error: Error) => void;
}

/** One queued record: of a single `append` (its own resolvers) or of an `appendMany` group. */
type PendingAppend =
  | {
      readonly payload: Uint8Array;
      readonly hash: Uint8Array;
      readonly group: undefined;
      readonly index: 0;
      readonly resolve: (result: AppendResult) => void;
      readonly reject: (error: Error) => void;
    }
  | {
      readonly payload: Uint8Array;
      readonly hash: Uint8Array;
      readonly group: AppendGroup;
      /** Position of this record in its group's results. */
      readonly index: number;
    };

export interface JournalWriterOptions {
  directory: string;
  fileSystem: FileSystem;
  level: DurabilityLevel;
  maxSegmentBytes: number;
  /** How much of what it wrote last the writer keeps in `recent` for a follower. */
  recentBounds: RecentBounds;
  /** Called whenever more of the log became readable, durable, or the writer stopped. */
  onChange: () => void;
}

const EMPTY = new Uint8Array(0);

export class JournalWriter {
  readonly #options: JournalWriterOptions;
  /** Shared with the reader side; the writer appends segments and keeps the last one's size. */
  readonly segments: SegmentFile[];
  /**
   * What this writer wrote last, for readers at the tail; kept only while `keepRecent` is on
   * (someone follows the log: otherwise it would only hold memory), emptied when the journal fails.
   */
  readonly recent: RecentRecords;
  #keepRecent = false;
  #file: DurableFile;
  #queue: PendingAppend[] = [];
  #queuedBytes = 0;
  #flushScheduled = false;
  #flushesSinceLoopTurn = 0;
  #buffer = Buffer.alloc(0);
  #writtenEnd: number;
  #readableEnd: number;
  #durableEnd: number;
  #sealed: boolean;
  #failure: JournalFailedError | undefined;
  #closed = false;

  /**
   * Takes over the recovered segments. The tail recovery kept may never have been synced (a
   * process crash leaves it in the page cache), so it is synced here before anything new is
   * written: from now on `durable-through` is honest for the whole log.
   *
   * Bytes whose fdatasync failed are not among them: `#fail` cut them off (see there).
   */
  constructor(options: JournalWriterOptions, segments: SegmentFile[], endsWithSeal: boolean) {
    this.#options = options;
    this.segments = segments;
    this.recent = new RecentRecords(options.recentBounds);
    const last = segments.at(-1);
    if (last === undefined) throw new Error('JournalWriter needs at least one segment');
    // The segment may have been created by a process that died (or whose directory fsync failed)
    // before its directory entry was synced; records acknowledged in it must not vanish with it.
    syncDirectory(options.directory, options.fileSystem);
    this.#file = this.#openSegment(last);
    try {
      this.#file.forceSync();
    } catch (error) {
      this.#file.close();
      throw error;
    }
    this.#writtenEnd = last.baseOffset + last.sizeBytes;
    this.#readableEnd = this.#writtenEnd;
    this.#durableEnd = this.#writtenEnd;
    this.#sealed = endsWithSeal;
  }

  /** Creates a segment starting at `baseOffset`: header written and fsynced, directory fsynced. */
  static createSegment(directory: string, fileSystem: FileSystem, baseOffset: number): SegmentFile {
    const segmentPath = path.join(directory, segmentFileName(baseOffset));
    const header = encodeSegmentHeader(baseOffset);
    let handle;
    try {
      handle = fileSystem.open(segmentPath, 'create-new');
    } catch (error) {
      throw new IoError(segmentPath, 'cannot create segment', { cause: error });
    }
    try {
      const written = handle.write(header, 0, header.length, 0);
      if (written !== header.length) throw new IoError(segmentPath, 'short write of segment header');
      try {
        handle.sync();
      } catch (error) {
        throw new FsyncFailedError(segmentPath, { cause: error });
      }
    } catch (error) {
      // A header that never became durable must not be found and used by a reopen in this process
      // (its pages may be clean but unwritten); without the file, the reopen creates it again.
      handle.close();
      try {
        fileSystem.unlink(segmentPath);
      } catch {
        // Recovery treats a last segment without a durable header and records as torn.
      }
      throw error instanceof FsyncFailedError || error instanceof IoError
        ? error
        : new IoError(segmentPath, 'cannot write segment header', { cause: error });
    }
    handle.close();
    if (!deliberateBug('skip-segment-directory-sync')) syncDirectory(directory, fileSystem);
    return { baseOffset, path: segmentPath, sizeBytes: SEGMENT_HEADER_BYTES };
  }

  /** Whether to keep what is written from now on in `recent`; turning it off empties it. */
  set keepRecent(keep: boolean) {
    this.#keepRecent = keep;
    if (!keep) this.recent.clear();
  }

  /** End of what readers may see: written and, under `immediate`, synced. */
  get readableEnd(): number {
    return this.#readableEnd;
  }

  /** Everything below this offset is durable. */
  get durableEnd(): number {
    return this.#durableEnd;
  }

  get failure(): JournalFailedError | undefined {
    return this.#failure;
  }

  get closed(): boolean {
    return this.#closed;
  }

  append(payload: Uint8Array): Promise<AppendResult> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#closed) return Promise.reject(new ClosedError('journal'));
    // Copied now: the caller may reuse its buffer as soon as `append` returns, and the hash must
    // describe the bytes that reach the disk.
    const copy = new Uint8Array(payload);
    const hash = blake3(copy);
    return new Promise<AppendResult>((resolve, reject) => {
      this.#enqueue({ payload: copy, hash, group: undefined, index: 0, resolve, reject });
    });
  }

  /**
   * Appends every payload, in order, in the same group commit where they fit in one. With
   * `transfer` the payloads are the caller's no more (`AppendOptions.transfer`) and are kept as
   * they are.
   */
  appendMany(payloads: readonly Uint8Array[], transfer = false): Promise<AppendResult[]> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#closed) return Promise.reject(new ClosedError('journal'));
    if (payloads.length === 0) return Promise.resolve([]);
    return new Promise<AppendResult[]>((resolve, reject) => {
      const count = payloads.length;
      const group: AppendGroup = { results: new Array<AppendResult>(count), remaining: count, settled: false, resolve, reject };
      // Copied now, unless transferred, into one allocation for the whole group (see `append`).
      // The hashes share one allocation too: they live as long as the group's records are kept
      // in `recent`, long enough to reach V8's old generation, where a view costs less than an
      // array of its own.
      const copies = transfer ? undefined : new Uint8Array(totalBytes(payloads));
      const hashes = new Uint8Array(count * BLAKE3_BYTES);
      let at = 0;
      for (let index = 0; index < count; index++) {
        // A flush forced by the queue bound may have failed the journal: the rest is not queued.
        if (this.#failure !== undefined) return settleRejected(group, this.#failure);
        const payload = payloads[index] as Uint8Array;
        let copy = payload;
        if (copies !== undefined) {
          copy = copies.subarray(at, at + payload.length);
          copy.set(payload);
          at += payload.length;
        }
        const hash = hashes.subarray(index * BLAKE3_BYTES, (index + 1) * BLAKE3_BYTES);
        hash.set(blake3(copy));
        this.#enqueue({ payload: copy, hash, group, index });
      }
    });
  }

  #enqueue(pending: PendingAppend): void {
    this.#queue.push(pending);
    this.#queuedBytes += frameBytes(pending.payload.length);
    if (this.#queue.length >= GROUP_COMMIT_MAX_RECORDS || this.#queuedBytes >= GROUP_COMMIT_MAX_BYTES) {
      // Bound the queue: a caller that appends without awaiting pays for the flush now.
      this.#flush();
    } else if (!this.#flushScheduled) {
      this.#scheduleFlush();
    }
  }

  /**
   * One flush per burst of appends. Under `immediate` every flush costs an fdatasync, so it waits
   * for the next loop turn and gathers appends arriving from I/O callbacks too; under the other
   * levels a flush is only a write, so it runs once the current callbacks and their promise
   * continuations are done, with a full loop turn every `FLUSHES_PER_LOOP_TURN` flushes.
   */
  #scheduleFlush(): void {
    this.#flushScheduled = true;
    const flush = (): void => this.#flush();
    if (this.#options.level.kind === 'immediate' || ++this.#flushesSinceLoopTurn >= FLUSHES_PER_LOOP_TURN) {
      this.#flushesSinceLoopTurn = 0;
      setImmediate(flush);
    } else {
      process.nextTick(flush);
    }
  }

  /** Writes everything queued and makes the whole log durable, whatever the level. */
  sync(): void {
    this.#checkUsable();
    this.#flush();
    this.#checkUsable();
    this.#guard(() => this.#file.forceSync());
    this.#markDurable();
  }

  /**
   * Writes what is queued, makes it durable, seals the log (so damage found later anywhere in it
   * is provably corruption, not a torn tail) and closes the segment. A failed journal is closed
   * without writing anything more; its failure was already reported to every waiting append.
   */
  close(): void {
    if (this.#closed) return;
    try {
      if (this.#failure === undefined) {
        this.#flush();
        if (this.#failure === undefined && !this.#sealed) this.#seal();
      }
    } finally {
      this.#closed = true;
      try {
        if (this.#failure === undefined) this.#file.close();
      } finally {
        if (this.#failure !== undefined) this.#closeQuietly();
        this.#options.onChange();
      }
    }
  }

  #seal(): void {
    this.#guard(() => this.#file.forceSync());
    this.#markDurable();
    const length = frameBytes(0);
    const buffer = this.#bufferOf(length);
    writeFrame(buffer, 0, RECORD_KIND_SEAL, EMPTY, blake3(EMPTY), this.#durableEnd);
    this.#guard(() => {
      this.#file.write(buffer, length, 1);
      this.#file.forceSync();
    });
    this.#advance(length);
    this.#markDurable();
    this.#readableEnd = this.#writtenEnd;
    this.#sealed = true;
  }

  #flush(): void {
    this.#flushScheduled = false;
    const batch = this.#queue;
    if (batch.length === 0) return;
    this.#queue = [];
    this.#queuedBytes = 0;
    const results: AppendResult[] = [];
    try {
      let next = 0;
      while (next < batch.length) next = this.#writeRun(batch, next, results);
    } catch (error) {
      for (const pending of batch) rejectPending(pending, this.#failure ?? (error as Error));
      return;
    }
    this.#readableEnd = this.#writtenEnd;
    for (let i = 0; i < batch.length; i++) {
      const pending = batch[i] as PendingAppend;
      const result = results[i] as AppendResult;
      const group = pending.group;
      if (group === undefined) {
        pending.resolve(result);
        continue;
      }
      group.results[pending.index] = result;
      if (--group.remaining === 0 && !group.settled) {
        group.settled = true;
        group.resolve(group.results);
      }
    }
    this.#options.onChange();
    if (deliberateBug('ack-before-sync')) this.#syncAfterAcknowledging();
  }

  /** Deliberate bug `ack-before-sync`: the sync `immediate` owes runs after the appends resolved. */
  #syncAfterAcknowledging(): void {
    if (this.#options.level.kind !== 'immediate') return;
    setImmediate(() => {
      if (this.#failure !== undefined || this.#closed) return;
      try {
        this.#guard(() => this.#file.forceSync());
        this.#markDurable();
      } catch {
        // The journal is failed; later calls report it.
      }
    });
  }

  /** Writes `batch[from..]` up to the buffer limit or the segment's end; returns where it stopped. */
  #writeRun(batch: PendingAppend[], from: number, results: AppendResult[]): number {
    const first = batch[from] as PendingAppend;
    // A record larger than a whole segment still goes into one, alone.
    const segmentHasRecords = this.#file.sizeBytes > SEGMENT_HEADER_BYTES;
    if (segmentHasRecords && !this.#fitsInSegment(frameBytes(first.payload.length))) this.#rotate();
    let runBytes = 0;
    let end = from;
    while (end < batch.length) {
      const length = frameBytes((batch[end] as PendingAppend).payload.length);
      const overBuffer = end > from && runBytes + length > GROUP_COMMIT_MAX_BYTES;
      if (overBuffer || (end > from && !this.#fitsInSegment(runBytes + length))) break;
      runBytes += length;
      end++;
    }
    const buffer = this.#bufferOf(runBytes);
    const runStart = this.#writtenEnd;
    let at = 0;
    for (let i = from; i < end; i++) {
      const pending = batch[i] as PendingAppend;
      results.push({ offset: runStart + at, hash: pending.hash });
      at += writeFrame(buffer, at, RECORD_KIND_DATA, pending.payload, pending.hash, this.#durableEnd);
    }
    const synced = this.#guard(() => this.#file.write(buffer, runBytes, end - from));
    this.#advance(runBytes);
    if (this.#keepRecent) {
      at = 0;
      for (let i = from; i < end; i++) {
        const { payload, hash } = batch[i] as PendingAppend;
        const offset = runStart + at;
        at += frameBytes(payload.length);
        this.recent.add({ offset, nextOffset: runStart + at, hash, payload });
      }
    }
    this.#sealed = false;
    if (synced) this.#markDurable();
    return end;
  }

  /** True if `bytes` more stay within the active segment's size limit. */
  #fitsInSegment(bytes: number): boolean {
    return this.#file.sizeBytes + bytes <= this.#options.maxSegmentBytes;
  }

  #rotate(): void {
    // The old segment must be durable whole before the new one exists: recovery treats damage in
    // any segment that has a successor as corruption.
    this.#guard(() => this.#file.forceSync());
    this.#markDurable();
    this.#guard(() => this.#file.close());
    const { directory, fileSystem } = this.#options;
    const segment = this.#guard(() => JournalWriter.createSegment(directory, fileSystem, this.#writtenEnd));
    this.segments.push(segment);
    this.#file = this.#openSegment(segment);
    this.#advance(SEGMENT_HEADER_BYTES);
    this.#markDurable();
  }

  #openSegment(segment: SegmentFile): DurableFile {
    let handle;
    try {
      handle = this.#options.fileSystem.open(segment.path, 'read-write');
    } catch (error) {
      throw new IoError(segment.path, 'cannot open segment for writing', { cause: error });
    }
    // Deliberate bug `ack-before-sync`: the file never syncs on its own under `immediate`.
    const level = deliberateBug('ack-before-sync') && this.#options.level.kind === 'immediate'
      ? DurabilityLevel.eventual()
      : this.#options.level;
    return new DurableFile(withDeliberateHandleBugs(handle), level, {
      onBackgroundSync: (error) => {
        if (error === undefined) this.#markDurable();
        else this.#fail(error);
      },
    });
  }

  #advance(bytes: number): void {
    this.#writtenEnd += bytes;
    const active = this.segments.at(-1) as SegmentFile;
    active.sizeBytes = this.#writtenEnd - active.baseOffset;
  }

  #markDurable(): void {
    this.#durableEnd = this.#writtenEnd;
    this.#options.onChange();
  }

  /** Runs a write-path step; any failure fails the journal for good. */
  #guard<T>(step: () => T): T {
    try {
      return step();
    } catch (error) {
      throw this.#fail(error as Error);
    }
  }

  /** Fails the journal from outside the write path (retention's directory sync). */
  fail(cause: Error): JournalFailedError {
    return this.#fail(cause);
  }

  #fail(cause: Error): JournalFailedError {
    if (this.#failure === undefined) {
      this.#failure = new JournalFailedError(cause);
      this.recent.clear();
      this.#cutUntrustedTail(cause instanceof FsyncFailedError ? this.#durableEnd : this.#writtenEnd);
      const queued = this.#queue;
      this.#queue = [];
      for (const pending of queued) rejectPending(pending, this.#failure);
      this.#options.onChange();
    }
    return this.#failure;
  }

  /**
   * After a failure, cuts the active segment back to what may still be trusted, so a reopen in this
   * process never appends after, and vouches for, bytes that will not reach the disk:
   * - a failed fsync/fdatasync: back to what the last successful sync covered. The kernel may have
   *   marked the unsynced pages clean while this process still reads them (invariants 1, 7, 8).
   *   Under `batched`/`eventual` this drops acknowledged records the level never promised were
   *   durable; an fsync failure is a disk failure, and they were at risk from the moment it failed.
   * - a failed or short write: back to the end of the last complete write; every record
   *   acknowledged before it stays, only the partial run goes.
   * Best effort: if the cut fails too, the journal is failed already.
   */
  #cutUntrustedTail(keepEnd: number): void {
    const active = this.segments.at(-1);
    // The file's own count: a write whose sync failed inside `DurableFile.write` was never advanced.
    const fileEnd = active === undefined ? 0 : active.baseOffset + this.#file.sizeBytes;
    if (active === undefined || keepEnd >= fileEnd || keepEnd < active.baseOffset) return;
    try {
      const handle = this.#options.fileSystem.open(active.path, 'read-write');
      try {
        handle.truncate(keepEnd - active.baseOffset);
      } finally {
        handle.close();
      }
    } catch {
      // Nothing more to do: every later call reports the failure that matters.
    }
  }

  #checkUsable(): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#closed) throw new ClosedError('journal');
  }

  #bufferOf(bytes: number): Buffer {
    if (this.#buffer.length < bytes) {
      this.#buffer = Buffer.allocUnsafe(Math.max(bytes, Math.min(GROUP_COMMIT_MAX_BYTES, bytes * 2)));
    }
    return this.#buffer;
  }

  #closeQuietly(): void {
    try {
      this.#file.close();
    } catch {
      // The journal already failed with the error that matters; the handle is released anyway.
    }
  }
}

function rejectPending(pending: PendingAppend, error: Error): void {
  if (pending.group === undefined) pending.reject(error);
  else settleRejected(pending.group, error);
}

function settleRejected(group: AppendGroup, error: Error): void {
  if (group.settled) return;
  group.settled = true;
  group.reject(error);
}

function totalBytes(payloads: readonly Uint8Array[]): number {
  let total = 0;
  for (const payload of payloads) total += payload.length;
  return total;
}
