/**
 * Acknowledged records the ingestor has not applied yet, kept in memory so that `get` returns a
 * record as soon as its write is acknowledged (read-your-writes), at every durability level.
 *
 * Entries are added when an append resolves and dropped once the ingestor's cursor passes their
 * offset. The write path keeps the total under `DB_UNINGESTED_MAX_RECORDS` and
 * `DB_UNINGESTED_MAX_BYTES` (for the store's engine) by waiting for the ingestor.
 */
interface Entry {
  readonly hash: string;
  readonly offset: number;
  readonly bytes: Uint8Array;
}

/**
 * Dropped entries at the front of the queue are compacted away past this many. A dropped slot is
 * emptied at once, so its record's bytes can be collected while the slot waits for the compaction.
 */
const COMPACT_AFTER_ENTRIES = 1024;

export class UningestedRecords {
  readonly #byHash = new Map<string, Entry[]>();
  /** Slots below `#head` are dropped and empty. */
  #queue: Array<Entry | undefined> = [];
  #head = 0;
  #bytes = 0;

  get count(): number {
    return this.#queue.length - this.#head;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Offset of the oldest entry, if any. */
  get oldestOffset(): number | undefined {
    return this.#queue[this.#head]?.offset;
  }

  /** Keeps `bytes` (record `hash` at `offset`) unless the ingestor's `cursor` already passed it. */
  add(hash: string, offset: number, bytes: Uint8Array, cursor: number): void {
    if (offset < cursor) return;
    const entry = { hash, offset, bytes };
    this.#queue.push(entry);
    this.#bytes += bytes.length;
    const list = this.#byHash.get(hash);
    if (list === undefined) this.#byHash.set(hash, [entry]);
    else list.push(entry);
  }

  /** The unapplied copies of record `hash`, oldest first. */
  get(hash: string): readonly Uint8Array[] {
    return (this.#byHash.get(hash) ?? []).map((entry) => entry.bytes);
  }

  /**
   * Drops entries below `cursor`. Appends resolve in offset order, so the queue is in offset order
   * and only its front needs looking at.
   */
  trim(cursor: number): void {
    while (this.#head < this.#queue.length) {
      const entry = this.#queue[this.#head] as Entry;
      if (entry.offset >= cursor) break;
      this.#queue[this.#head] = undefined;
      this.#head++;
      this.#bytes -= entry.bytes.length;
      const list = this.#byHash.get(entry.hash) ?? [];
      // Copies of one record are trimmed oldest first, so `entry` heads its list.
      if (list.length <= 1) this.#byHash.delete(entry.hash);
      else list.shift();
    }
    if (this.#head >= COMPACT_AFTER_ENTRIES && this.#head * 2 >= this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }
}
