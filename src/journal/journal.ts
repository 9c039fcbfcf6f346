/**
 * The write-ahead journal: an append-only, checksummed log of opaque payloads in segment files,
 * addressed by global byte offsets. It is the source of truth; everything else is derived from it.
 *
 * Contract:
 * - `append` resolves when the durability level's promise holds for the record: under `immediate`
 *   it is on disk; under `batched` and `eventual` it is written to the OS (it survives a process
 *   crash) and will be synced by the batch policy, `sync()` or `close()`.
 * - Offsets are global, increasing, and stable for the life of the log.
 * - After a write or sync failure the journal is failed: every call rejects with
 *   `JournalFailedError` until it is closed and reopened, which recovers from disk.
 * - One process owns a journal directory (an OS lock the kernel frees if the process dies).
 */
import path from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { DurabilityLevel, DurabilityOption, FileHandle, FileLock, FileSystem } from '../durability/index.js';
import { lockDirectory, nodeFileSystem, parseDurability, syncDirectory } from '../durability/index.js';
import { ClosedError, CorruptionError, InvalidArgumentError, IoError, TooLargeError } from '../errors.js';
import {
  FOLLOW_CHUNK_RECORDS,
  RECORD_PAYLOAD_MAX_BYTES,
  SEGMENT_DEFAULT_MAX_BYTES,
  SEGMENT_HEADER_BYTES,
  SEGMENT_MIN_MAX_BYTES,
  YIELD_EVERY_RECORDS,
} from '../limits.js';
import { RECORD_KIND_SEAL } from './format.js';
import { sealCrcEndingAt, writeCheckpoint } from './checkpoint.js';
import { FrameReader } from './frame-reader.js';
import { JournalWriter } from './journal-writer.js';
import type { AppendResult } from './journal-writer.js';
import { DEFAULT_RECENT_BOUNDS } from './recent-records.js';
import type { RecentBounds } from './recent-records.js';
import { recoverJournal } from './recovery.js';
import type { RecoveryReport, SegmentFile } from './recovery.js';
import type { AppendOptions, JournalRecord, RecordLog, RetentionResult } from './record-log.js';

export interface JournalOptions {
  /** Default `'immediate'`. */
  durability?: DurabilityOption;
  /** A new segment starts once the active one would pass this size. Default 128 MiB. */
  maxSegmentBytes?: number;
  /**
   * How many of the records it wrote last, and how many payload bytes of them, the journal keeps
   * in memory while the log has a follower, which reads them from there instead of from the file.
   * A follower that falls further behind reads the file. Default `JOURNAL_RECENT_MAX_RECORDS`
   * records and `JOURNAL_RECENT_MAX_BYTES` bytes; each must be a positive integer.
   */
  recentBounds?: RecentBounds;
  /**
   * Quarantine corruption and keep the valid records before it, instead of refusing to open.
   * Validates the whole log, as `fullScan` does.
   */
  repair?: boolean;
  /**
   * Validate every record at open, not only those after the checkpoint of the last clean close
   * (default false: see `checkpoint.ts`).
   */
  fullScan?: boolean;
  /** The disk to use; tests pass a simulated one. Default: the real file system. */
  fileSystem?: FileSystem;
  /**
   * Take the directory's OS lock (default true). Only a caller that already holds an exclusive
   * lock covering this directory, or a test on a simulated file system, turns it off.
   */
  lock?: boolean;
}

interface SegmentReader {
  handle: FileHandle;
  reader: FrameReader;
}

export class Journal implements RecordLog {
  readonly directory: string;
  readonly durability: DurabilityLevel;
  readonly recoveryReport: RecoveryReport;
  readonly #fileSystem: FileSystem;
  readonly #writer: JournalWriter;
  readonly #lock: FileLock | undefined;
  readonly #readers = new Map<number, SegmentReader>();
  #changeWaiters: Array<() => void> = [];
  #closed = false;
  /** `follow`/`followChunks` readers running now. */
  #followers = 0;

  private constructor(
    directory: string,
    durability: DurabilityLevel,
    fileSystem: FileSystem,
    writer: JournalWriter,
    report: RecoveryReport,
    lock: FileLock | undefined,
  ) {
    this.directory = directory;
    this.durability = durability;
    this.#fileSystem = fileSystem;
    this.#writer = writer;
    this.recoveryReport = report;
    this.#lock = lock;
  }

  /** Opens (creating if needed) the journal in `directory` and recovers it; see `recoveryReport`. */
  static async open(directory: string, options: JournalOptions = {}): Promise<Journal> {
    const durability = parseDurability(options.durability);
    const maxSegmentBytes = options.maxSegmentBytes ?? SEGMENT_DEFAULT_MAX_BYTES;
    if (!Number.isSafeInteger(maxSegmentBytes) || maxSegmentBytes < SEGMENT_MIN_MAX_BYTES) {
      throw new InvalidArgumentError(`must be an integer ≥ ${SEGMENT_MIN_MAX_BYTES}`, 'maxSegmentBytes');
    }
    const recentBounds = checkRecentBounds(options.recentBounds ?? DEFAULT_RECENT_BOUNDS);
    const fileSystem = options.fileSystem ?? nodeFileSystem;
    ensureDirectory(directory, fileSystem);
    const lock = options.lock === false ? undefined : lockDirectory(directory);
    try {
      const { segments, report } = await recoverJournal(directory, fileSystem, {
        repair: options.repair ?? false,
        fullScan: options.fullScan ?? false,
      });
      if (segments.length === 0) {
        segments.push(JournalWriter.createSegment(directory, fileSystem, report.endOffset));
      }
      const onChange = { wake: (): void => {} };
      const writer = new JournalWriter(
        {
          directory,
          fileSystem,
          level: durability,
          maxSegmentBytes,
          recentBounds,
          onChange: () => onChange.wake(),
        },
        segments,
        report.cleanShutdown,
      );
      const journal = new Journal(directory, durability, fileSystem, writer, report, lock);
      onChange.wake = () => journal.#wakeWaiters();
      return journal;
    } catch (error) {
      lock?.close();
      throw error;
    }
  }

  /** Offset of the first record still kept (segments below it were removed by retention). */
  get startOffset(): number {
    return ((this.#writer.segments[0] as SegmentFile).baseOffset) + SEGMENT_HEADER_BYTES;
  }

  /** Where the next record will go; everything below is readable. */
  get endOffset(): number {
    return this.#writer.readableEnd;
  }

  /** Everything below this offset is on disk. */
  get durableOffset(): number {
    return this.#writer.durableEnd;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Appends one record. The payload is copied into the log before the promise settles; the caller
   * may reuse its buffer once `append` has returned.
   */
  append(payload: Uint8Array): Promise<AppendResult> {
    if (!(payload instanceof Uint8Array)) {
      return Promise.reject(new InvalidArgumentError('must be a Uint8Array', 'payload'));
    }
    if (payload.length > RECORD_PAYLOAD_MAX_BYTES) {
      return Promise.reject(new TooLargeError('journal payload', payload.length, RECORD_PAYLOAD_MAX_BYTES));
    }
    return this.#writer.append(payload);
  }

  /**
   * Appends the payloads in order, as `append` would one by one, with one promise for all:
   * it resolves to their results in order once every one is acknowledged, or rejects if any fails
   * (those before it may then be in the log, unacknowledged). Each is checked before any is queued.
   * With `transfer`, the payloads are kept as they are, not copied (see `AppendOptions`).
   */
  appendMany(payloads: readonly Uint8Array[], options: AppendOptions = {}): Promise<AppendResult[]> {
    for (const payload of payloads) {
      if (!(payload instanceof Uint8Array)) {
        return Promise.reject(new InvalidArgumentError('must be a Uint8Array', 'payload'));
      }
      if (payload.length > RECORD_PAYLOAD_MAX_BYTES) {
        return Promise.reject(new TooLargeError('journal payload', payload.length, RECORD_PAYLOAD_MAX_BYTES));
      }
    }
    return this.#writer.appendMany(payloads, options.transfer === true);
  }

  /** Writes everything appended so far and makes it durable, whatever the level. */
  async sync(): Promise<void> {
    this.#writer.sync();
  }

  /** Reads the record that starts at `offset`. */
  async read(offset: number): Promise<JournalRecord> {
    this.#checkOpen();
    const record = this.#readAt(offset, true);
    if (record === undefined) throw new InvalidArgumentError(`no record starts at offset ${offset}`, 'offset');
    return record;
  }

  /**
   * Yields the records from `fromOffset` (default: the start) in order, across segments, and ends
   * at the end of the log as it stands when the reader gets there.
   */
  iterate(fromOffset?: number): AsyncIterableIterator<JournalRecord> {
    return eachRecord(this.#scan(fromOffset ?? this.startOffset, undefined, FOLLOW_CHUNK_RECORDS));
  }

  /** Like `iterate`, but at the end waits for new records until `signal` aborts or the journal closes. */
  follow(fromOffset?: number, options: { signal?: AbortSignal } = {}): AsyncIterableIterator<JournalRecord> {
    return eachRecord(this.followChunks(fromOffset, options));
  }

  /**
   * Like `follow`, in chunks: each step yields every record that can be read at once from where the
   * reader stands, at most `maxRecords` (default `FOLLOW_CHUNK_RECORDS`) and never none; at the
   * end it waits for new records until `signal` aborts or the journal closes.
   */
  followChunks(
    fromOffset?: number,
    options: { signal?: AbortSignal; maxRecords?: number } = {},
  ): AsyncIterableIterator<JournalRecord[]> {
    const maxRecords = options.maxRecords ?? FOLLOW_CHUNK_RECORDS;
    if (!Number.isSafeInteger(maxRecords) || maxRecords < 1) {
      throw new InvalidArgumentError('must be an integer ≥ 1', 'maxRecords');
    }
    const signal = options.signal ?? new AbortController().signal;
    return this.#followed(this.#scan(fromOffset ?? this.startOffset, signal, maxRecords));
  }

  /**
   * `chunks`, counted as a follower while it runs: the writer keeps what it writes in memory only
   * while someone follows the log, the one reader that reads right behind it.
   */
  async *#followed(chunks: AsyncIterableIterator<JournalRecord[]>): AsyncIterableIterator<JournalRecord[]> {
    this.#writer.keepRecent = ++this.#followers > 0;
    try {
      yield* chunks;
    } finally {
      this.#writer.keepRecent = --this.#followers > 0;
    }
  }

  /**
   * Removes the segments that lie wholly below `offset` (never the active one). Call it only with
   * an offset every consumer of the log has passed.
   */
  async removeSegmentsBelow(offset: number): Promise<RetentionResult> {
    this.#checkOpen();
    const segments = this.#writer.segments;
    const result: RetentionResult = { segmentsRemoved: 0, bytesRemoved: 0 };
    while (segments.length > 1) {
      const first = segments[0] as SegmentFile;
      if (first.baseOffset + first.sizeBytes > offset) break;
      this.#dropReader(first.baseOffset);
      try {
        this.#fileSystem.unlink(first.path);
      } catch (error) {
        throw new IoError(first.path, 'cannot remove segment', { cause: error });
      }
      // Each removal is made durable before the next: removals that persist out of order would
      // leave a gap between surviving segments, which recovery must (and does) call corruption.
      // A failed directory fsync fails the journal like any other (invariant 7).
      try {
        syncDirectory(this.directory, this.#fileSystem);
      } catch (error) {
        throw this.#writer.fail(error as Error);
      }
      segments.shift();
      result.segmentsRemoved++;
      result.bytesRemoved += first.sizeBytes;
    }
    return result;
  }

  /**
   * Writes what is queued, syncs, seals, records the checkpoint and releases the directory.
   * Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#writer.close();
      this.#writeCheckpoint();
    } finally {
      for (const base of [...this.#readers.keys()]) this.#dropReader(base);
      this.#lock?.close();
      this.#wakeWaiters();
    }
  }

  /**
   * After a clean close, records where the log ends (past its seal) as the checkpoint, unless the
   * one there already says so. Best effort: if it cannot be written, the one before it (still true
   * of the log) or none stays, and the next open validates more of the log; nothing is lost.
   */
  #writeCheckpoint(): void {
    const end = this.endOffset;
    if (this.#writer.failure !== undefined || end === this.recoveryReport.validatedFrom) return;
    const segment = this.#segmentAt(end - 1);
    try {
      const sealCrc = sealCrcEndingAt(this.#fileSystem, segment, end);
      if (sealCrc === undefined) return;
      const checkpoint = { end, segmentBase: segment.baseOffset, sealCrc };
      writeCheckpoint(this.directory, this.#fileSystem, checkpoint);
    } catch {
      // See above: a checkpoint is a shortcut for the next open, never data.
    }
  }

  /**
   * The records from `fromOffset` in chunks of at most `maxRecords`, each read synchronously (from
   * the writer's cache of recent records where they are still there, else from the file); ends
   * at the end of the log, or (with a `signal`) waits there for more. The event loop gets a full
   * turn every `YIELD_EVERY_RECORDS` records, so a long scan never starves it. A damaged record
   * ends the scan with `CorruptionError` once every record before it has been yielded.
   */
  async *#scan(
    fromOffset: number,
    signal: AbortSignal | undefined,
    maxRecords: number,
  ): AsyncIterableIterator<JournalRecord[]> {
    let position = fromOffset;
    // A caller's offset may not be a record's (then the read says so); the log's start is one.
    let first = this.#skipSegmentHeaders(fromOffset) !== this.#skipSegmentHeaders(this.startOffset);
    let sinceYield = 0;
    for (;;) {
      if (this.#closed) return;
      const chunk: JournalRecord[] = [];
      while (chunk.length < maxRecords) {
        position = this.#skipSegmentHeaders(position);
        if (position >= this.endOffset) break;
        // What this process wrote last comes from memory; the cache is emptied if the journal fails.
        const recent = this.#writer.recent.find(position);
        if (recent !== undefined) {
          first = false;
          position = recent.nextOffset;
          chunk.push(recent);
          continue;
        }
        let record: (JournalRecord & { kind: number }) | undefined;
        try {
          record = this.#readAt(position, first);
        } catch (error) {
          if (chunk.length === 0) throw error;
          yield chunk;
          throw error;
        }
        if (record === undefined) throw new InvalidArgumentError(`no record starts at offset ${position}`, 'offset');
        first = false;
        position = record.nextOffset;
        if (record.kind === RECORD_KIND_SEAL) continue;
        chunk.push({ offset: record.offset, nextOffset: record.nextOffset, hash: record.hash, payload: record.payload });
      }
      if (chunk.length > 0) {
        yield chunk;
        sinceYield += chunk.length;
        if (sinceYield >= YIELD_EVERY_RECORDS) {
          sinceYield = 0;
          await yieldToEventLoop();
        }
        continue;
      }
      if (signal === undefined) return;
      const failure = this.#writer.failure;
      if (failure !== undefined) throw failure;
      if (signal.aborted || !(await this.#waitForChange(signal))) return;
    }
  }

  /**
   * The record at `offset` (seal records included, marked by `kind`), or undefined if no record
   * starts there and `strict` allows saying so. Damage found after open is corruption: recovery
   * checked every frame's CRC-32C, so it happened at rest or under us, or (a chance of 2^-32 per
   * damaged frame) the CRC-32C missed it and the BLAKE3 content check here found it.
   */
  #readAt(offset: number, strict: boolean): (JournalRecord & { kind: number }) | undefined {
    this.#checkOpen();
    if (!Number.isSafeInteger(offset) || offset < this.startOffset - SEGMENT_HEADER_BYTES) {
      throw new InvalidArgumentError(`offset ${offset} is not in the log (it starts at ${this.startOffset})`, 'offset');
    }
    const end = this.endOffset;
    const start = this.#skipSegmentHeaders(offset);
    const segment = this.#segmentAt(start);
    let position = start - segment.baseOffset;
    const limit = Math.min(segment.sizeBytes, end - segment.baseOffset);
    if (position >= limit) throw new InvalidArgumentError(`offset ${offset} is at or past the end of the log`, 'offset');
    const check = this.#readerFor(segment).reader.frameAt(position, limit);
    if (!check.ok) {
      if (strict && !('recordStart' in check)) return undefined;
      const reason = 'reason' in check ? check.reason : 'unreadable record';
      throw new CorruptionError(segment.path, segment.baseOffset + position, reason);
    }
    const { frame } = check;
    const recordOffset = segment.baseOffset + position;
    position += frame.lengthBytes;
    return { kind: frame.kind, offset: recordOffset, nextOffset: segment.baseOffset + position, hash: frame.hash, payload: frame.payload };
  }

  /**
   * The first offset at or after `offset` where a record could start: past a segment's header,
   * and from a segment's end to the next segment's first record.
   */
  #skipSegmentHeaders(offset: number): number {
    const segments = this.#writer.segments;
    let position = offset;
    for (;;) {
      const index = this.#segmentIndexAt(position);
      const segment = segments[index] as SegmentFile;
      position = Math.max(position, segment.baseOffset + SEGMENT_HEADER_BYTES);
      const next = segments[index + 1];
      if (next === undefined || position < segment.baseOffset + segment.sizeBytes) return position;
      position = next.baseOffset;
    }
  }

  /** The segment holding `offset`: the last one whose base is at or below it. */
  #segmentAt(offset: number): SegmentFile {
    return this.#writer.segments[this.#segmentIndexAt(offset)] as SegmentFile;
  }

  #segmentIndexAt(offset: number): number {
    const segments = this.#writer.segments;
    let low = 0;
    let high = segments.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((segments[middle] as SegmentFile).baseOffset <= offset) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  #readerFor(segment: SegmentFile): SegmentReader {
    let entry = this.#readers.get(segment.baseOffset);
    if (entry === undefined) {
      let handle;
      try {
        handle = this.#fileSystem.open(segment.path, 'read');
      } catch (error) {
        throw new IoError(segment.path, 'cannot open segment for reading', { cause: error });
      }
      entry = { handle, reader: new FrameReader(handle, segment.baseOffset) };
      this.#readers.set(segment.baseOffset, entry);
    }
    return entry;
  }

  #dropReader(baseOffset: number): void {
    const entry = this.#readers.get(baseOffset);
    if (entry === undefined) return;
    this.#readers.delete(baseOffset);
    entry.handle.close();
  }

  /** Resolves true when the log changes, false if `signal` aborts first. */
  #waitForChange(signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const onAbort = (): void => resolve(false);
      signal.addEventListener('abort', onAbort, { once: true });
      this.#changeWaiters.push(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      });
    });
  }

  #wakeWaiters(): void {
    const waiters = this.#changeWaiters;
    if (waiters.length === 0) return;
    this.#changeWaiters = [];
    for (const wake of waiters) wake();
  }

  #checkOpen(): void {
    if (this.#closed) throw new ClosedError('journal');
  }
}

function checkRecentBounds(bounds: RecentBounds): RecentBounds {
  if (typeof bounds !== 'object' || bounds === null) {
    throw new InvalidArgumentError('must be an object', 'recentBounds');
  }
  for (const name of ['maxRecords', 'maxBytes'] as const) {
    const value: unknown = bounds[name];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      throw new InvalidArgumentError('must be a positive integer', `recentBounds.${name}`);
    }
  }
  return { maxRecords: bounds.maxRecords, maxBytes: bounds.maxBytes };
}

function ensureDirectory(directory: string, fileSystem: FileSystem): void {
  if (!fileSystem.exists(directory)) {
    try {
      fileSystem.mkdir(directory);
    } catch (error) {
      throw new IoError(directory, 'cannot create journal directory', { cause: error });
    }
  }
  // The directory's entry in its parent must survive power loss like any other creation; synced on
  // every open, since a process that created it may have died before its own sync.
  syncDirectory(path.dirname(directory), fileSystem);
}

/** The records of `chunks` one by one; ending early ends `chunks` too. */
async function* eachRecord(chunks: AsyncIterableIterator<JournalRecord[]>): AsyncIterableIterator<JournalRecord> {
  for await (const chunk of chunks) {
    for (const record of chunk) yield record;
  }
}
