/**
 * The records this process wrote most recently, kept in memory so that a reader following the
 * tail of the log (the ingestor) gets them without reading them back from the file and checking
 * their frames again. Bounded by a number of records and of payload bytes (`RecentBounds`; by
 * default `JOURNAL_RECENT_MAX_RECORDS` and `JOURNAL_RECENT_MAX_BYTES`); the oldest go first. The
 * writer fills it only while the log has a follower (`follow`, `followChunks`): with none,
 * keeping records would only hold memory and burden the collector.
 *
 * Invariants: entries are in offset order, each one a data record exactly as written to the log
 * (its payload is the writer's private copy, never written into again, and its hash was computed
 * from that copy). The writer adds a run only after its write returned, and empties the cache
 * when the journal fails, since a failed journal may cut its tail. Readers must still bound what
 * they ask for by the log's readable end: an entry may be written but not yet synced.
 */
import { JOURNAL_RECENT_MAX_BYTES, JOURNAL_RECENT_MAX_RECORDS } from '../limits.js';
import type { JournalRecord } from './record-log.js';

/** How much `RecentRecords` keeps: the newest records within both bounds. */
export interface RecentBounds {
  readonly maxRecords: number;
  readonly maxBytes: number;
}

export const DEFAULT_RECENT_BOUNDS: RecentBounds = {
  maxRecords: JOURNAL_RECENT_MAX_RECORDS,
  maxBytes: JOURNAL_RECENT_MAX_BYTES,
};

/**
 * Dropped entries at the front are compacted away past this many. A dropped slot is emptied at
 * once, so what it held (the entry, its hash and the payload buffer its view pins) can be
 * collected while the slot waits for the compaction.
 */
const COMPACT_AFTER_ENTRIES = 4096;

export class RecentRecords {
  readonly #maxRecords: number;
  readonly #maxBytes: number;
  /** Slots below `#head` are dropped and empty. */
  #entries: Array<JournalRecord | undefined> = [];
  #head = 0;
  #bytes = 0;
  /** Where the last successful `find` left off: sequential readers hit it without searching. */
  #hint = 0;

  constructor(bounds: RecentBounds = DEFAULT_RECENT_BOUNDS) {
    this.#maxRecords = bounds.maxRecords;
    this.#maxBytes = bounds.maxBytes;
  }

  add(record: JournalRecord): void {
    this.#entries.push(record);
    this.#bytes += record.payload.length;
    while (
      this.#entries.length - this.#head > this.#maxRecords ||
      this.#bytes > this.#maxBytes
    ) {
      this.#bytes -= (this.#entries[this.#head] as JournalRecord).payload.length;
      this.#entries[this.#head] = undefined;
      this.#head++;
    }
    if (this.#head >= COMPACT_AFTER_ENTRIES && this.#head * 2 >= this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#hint = Math.max(0, this.#hint - this.#head);
      this.#head = 0;
    }
  }

  /** The record that starts at `offset`, if it is still kept. */
  find(offset: number): JournalRecord | undefined {
    const entries = this.#entries;
    const hinted = entries[this.#hint];
    if (this.#hint >= this.#head && hinted !== undefined && hinted.offset === offset) {
      this.#hint++;
      return hinted;
    }
    let low = this.#head;
    let high = entries.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const entry = entries[middle] as JournalRecord;
      if (entry.offset === offset) {
        this.#hint = middle + 1;
        return entry;
      }
      if (entry.offset < offset) low = middle + 1;
      else high = middle - 1;
    }
    return undefined;
  }

  clear(): void {
    this.#entries = [];
    this.#head = 0;
    this.#bytes = 0;
    this.#hint = 0;
  }
}
