/**
 * What the layers above need from a log, so that another implementation (a replicated log on an
 * existing consensus engine, say) can stand behind them unchanged. `Journal` is the local one.
 */
import type { AppendResult } from './journal-writer.js';

export interface JournalRecord {
  /** Global offset of the record. */
  readonly offset: number;
  /** Offset of the next record: where a reader that has consumed this one resumes. */
  readonly nextOffset: number;
  /**
   * BLAKE3-256 of the payload: verified when the record was read from the file, or computed from
   * these very bytes when this process wrote them. Shared between readers: do not modify it.
   */
  readonly hash: Uint8Array;
  /**
   * The payload. A view the caller may keep; the journal never writes into it again. Shared
   * between readers: do not modify it.
   */
  readonly payload: Uint8Array;
}

export interface AppendOptions {
  /**
   * The caller hands the payloads over: it never modifies them again, so the log may keep them as
   * they are instead of copying them first (it may still copy). Each is hashed during the call
   * and written later, so a caller that broke the promise would find its record refused as
   * corrupt when read, never stored with other bytes under its hash.
   */
  readonly transfer?: boolean;
}

export interface RetentionResult {
  segmentsRemoved: number;
  bytesRemoved: number;
}

export interface RecordLog {
  /** Offset of the first record still kept. */
  readonly startOffset: number;
  /** Where the next record will go; everything below it is readable. */
  readonly endOffset: number;
  /** Everything below this offset is durable. */
  readonly durableOffset: number;
  append(payload: Uint8Array): Promise<AppendResult>;
  /** `append` of each payload in order, settled together: one promise for a whole group commit. */
  appendMany(payloads: readonly Uint8Array[], options?: AppendOptions): Promise<AppendResult[]>;
  read(offset: number): Promise<JournalRecord>;
  iterate(fromOffset?: number): AsyncIterableIterator<JournalRecord>;
  follow(fromOffset?: number, options?: { signal?: AbortSignal }): AsyncIterableIterator<JournalRecord>;
  /**
   * `follow` in chunks: each step yields the records that can be had at once (never none, at most
   * `maxRecords`), as a fetch from a replicated log returns them, so a consumer pays one
   * asynchronous step per chunk rather than per record.
   */
  followChunks(
    fromOffset?: number,
    options?: { signal?: AbortSignal; maxRecords?: number },
  ): AsyncIterableIterator<JournalRecord[]>;
  sync(): Promise<void>;
  removeSegmentsBelow(offset: number): Promise<RetentionResult>;
  close(): Promise<void>;
}
