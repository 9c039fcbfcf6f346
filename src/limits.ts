/**
 * Every limit in StemeDB, as a named constant with its unit last.
 * Relations between limits are asserted at load, so a bad edit fails at startup, not on disk.
 */
import assert from 'node:assert/strict';

// ---- journal ----------------------------------------------------------------------------------

/** Bytes of a segment file's header. */
export const SEGMENT_HEADER_BYTES = 32;
/** Bytes of a record's header; the payload follows it, 8-byte aligned. */
export const RECORD_HEADER_BYTES = 56;
/** Records and payloads start on multiples of this many bytes. */
export const RECORD_ALIGNMENT_BYTES = 8;
/** Largest payload one journal record may carry. */
export const RECORD_PAYLOAD_MAX_BYTES = 64 * 1024 * 1024;
/** A new segment starts once the active one would pass this size (default of `maxSegmentBytes`). */
export const SEGMENT_DEFAULT_MAX_BYTES = 128 * 1024 * 1024;
/** Smallest `maxSegmentBytes` accepted; small segments exist for tests of rotation. */
export const SEGMENT_MIN_MAX_BYTES = 4096;
/** One group commit writes at most this many bytes of records before it syncs. */
export const GROUP_COMMIT_MAX_BYTES = 8 * 1024 * 1024;
/** One group commit takes at most this many records. */
export const GROUP_COMMIT_MAX_RECORDS = 4096;
/**
 * Most records, and payload bytes, of the journal's in-memory copy of what it wrote last, which
 * a reader at the tail gets without reading the file (`src/journal/recent-records.ts`): the
 * defaults of `JournalOptions.recentBounds`. A database passes its own bounds instead, the
 * `DB_UNINGESTED_MAX_*` of its store's engine: how far its writers may run ahead of its ingestor.
 */
export const JOURNAL_RECENT_MAX_RECORDS = 8192;
export const JOURNAL_RECENT_MAX_BYTES = 8 * 1024 * 1024;
/**
 * Under `batched` and `eventual` a flush runs as soon as the current burst of callbacks is done
 * (`process.nextTick`); every this-many flushes one waits for the next event-loop turn instead, so
 * a caller appending in a tight loop cannot starve timers and I/O.
 */
export const FLUSHES_PER_LOOP_TURN = 64;
/** Long synchronous loops (recovery, scans) yield to the event loop after this many records. */
export const YIELD_EVERY_RECORDS = 4096;
/** Most records one step of a chunked journal read (`followChunks`) yields by default. */
export const FOLLOW_CHUNK_RECORDS = 1024;

// ---- durability -------------------------------------------------------------------------------

/** Default `maxWrites` of the batched durability level. */
export const BATCH_DEFAULT_MAX_WRITES = 100;
/** Default `maxDelayMs` of the batched durability level. */
export const BATCH_DEFAULT_MAX_DELAY_MS = 10;

// ---- records ----------------------------------------------------------------------------------

/**
 * Largest encoded record (envelope, body and signatures). Far below the journal's payload limit so
 * a record never fills a segment, and small enough that one bad input cannot hold much memory.
 */
export const RECORD_ENCODED_MAX_BYTES = 1024 * 1024;
/**
 * Longest subject, and longest entity reference, in UTF-8 bytes. With `PREDICATE_MAX_BYTES` it keeps
 * the longest `SP:` index key (3 + 1024 + 1 + 512 + 1 + 32 = 1573 bytes) under LMDB's 1978-byte keys.
 */
export const SUBJECT_MAX_BYTES = 1024;
/** Longest predicate in UTF-8 bytes. */
export const PREDICATE_MAX_BYTES = 512;
/** Longest epoch name in UTF-8 bytes. */
export const EPOCH_NAME_MAX_BYTES = 1024;
/** Longest epoch description in UTF-8 bytes. */
export const EPOCH_DESCRIPTION_MAX_BYTES = 64 * 1024;
/** Most float32 elements in an assertion's vector. */
export const VECTOR_MAX_DIMENSIONS = 4096;
/** Most signatures on one assertion (at 104 bytes each, about a tenth of the record limit). */
export const SIGNATURES_MAX_COUNT = 1024;
/** Parsed Ed25519 public keys kept for verification; the oldest is dropped past this. */
export const AGENT_KEY_CACHE_MAX_ENTRIES = 4096;
/** Encoded records up to this size are carved from shared slabs instead of their own buffer. */
export const RECORD_SLAB_MAX_RECORD_BYTES = 2048;
/** Size of one slab that small encoded records are carved from. */
export const RECORD_SLAB_BYTES = 16 * 1024;

assert.ok(RECORD_ENCODED_MAX_BYTES <= RECORD_PAYLOAD_MAX_BYTES / 16);
assert.ok(8 + 104 * SIGNATURES_MAX_COUNT <= RECORD_ENCODED_MAX_BYTES / 8);
assert.ok(RECORD_SLAB_MAX_RECORD_BYTES <= RECORD_SLAB_BYTES / 4);

// ---- store ------------------------------------------------------------------------------------

/** Longest key a store backend must accept: LMDB's limit with its default 4 KiB pages. */
export const STORE_KEY_MAX_BYTES = 1978;
/** Largest value one put may carry; a whole journal record payload must fit. */
export const STORE_VALUE_MAX_BYTES = 64 * 1024 * 1024;
/** Most operations one `KVStore.write` may carry. */
export const STORE_WRITE_MAX_OPS = 65_536;
/** Most key plus value bytes one `KVStore.write` may carry (it is one engine transaction). */
export const STORE_WRITE_MAX_BYTES = 128 * 1024 * 1024;
/**
 * How long a failed commit waits for lmdb-js to hand over the engine's own error (its errno) before
 * reporting the failure with the generic one. Only the failure path waits.
 */
export const STORE_COMMIT_ERROR_WAIT_MS = 1000;

assert.ok(3 + SUBJECT_MAX_BYTES + 1 + PREDICATE_MAX_BYTES + 1 + 32 <= STORE_KEY_MAX_BYTES);
assert.ok(RECORD_PAYLOAD_MAX_BYTES <= STORE_VALUE_MAX_BYTES);
assert.ok(STORE_KEY_MAX_BYTES + STORE_VALUE_MAX_BYTES <= STORE_WRITE_MAX_BYTES);

assert.equal(SEGMENT_HEADER_BYTES % RECORD_ALIGNMENT_BYTES, 0);
assert.equal(RECORD_HEADER_BYTES % RECORD_ALIGNMENT_BYTES, 0);
assert.ok(SEGMENT_HEADER_BYTES + RECORD_HEADER_BYTES < SEGMENT_MIN_MAX_BYTES);
assert.ok(RECORD_PAYLOAD_MAX_BYTES + RECORD_HEADER_BYTES <= 0xffff_ffff);
assert.ok(GROUP_COMMIT_MAX_BYTES >= RECORD_HEADER_BYTES);

// ---- http -------------------------------------------------------------------------------------

/** Largest request body the HTTP server reads; a bigger one is refused with 413 unread. */
export const HTTP_BODY_MAX_BYTES = 8 * 1024 * 1024;
/** Most records one `POST /v1/assert/batch` may carry (each batch is one group commit). */
export const HTTP_BATCH_MAX_RECORDS = 4096;
/** Assertions a query returns when it names no `limit`. */
export const HTTP_QUERY_DEFAULT_LIMIT = 100;
/** Largest `limit` a query or vote listing accepts. */
export const HTTP_QUERY_MAX_LIMIT = 10_000;
/**
 * How long a graceful shutdown waits for requests in flight before it cuts their connections; the
 * database is flushed and closed either way, so only unacknowledged requests are lost.
 */
export const HTTP_SHUTDOWN_MAX_WAIT_MS = 10_000;

assert.ok(HTTP_QUERY_DEFAULT_LIMIT <= HTTP_QUERY_MAX_LIMIT);
assert.ok(RECORD_ENCODED_MAX_BYTES * 2 <= HTTP_BODY_MAX_BYTES);

// ---- cli --------------------------------------------------------------------------------------

/** `stemedb put` writes validated input in `putMany` calls of at most this many records. */
export const CLI_PUT_CHUNK_RECORDS = 1024;
/** Largest input `stemedb put` reads as one JSON document (a pretty-printed value or array). */
export const CLI_DOCUMENT_MAX_BYTES = 256 * 1024 * 1024;
/** The terminal progress bar redraws at most this often. */
export const CLI_PROGRESS_INTERVAL_MS = 100;
/** Assertions `stemedb bench` writes and reads back when not told otherwise. */
export const CLI_BENCH_DEFAULT_RECORDS = 20_000;
/** Concurrent writers `stemedb bench` runs. */
export const CLI_BENCH_WRITERS = 64;

assert.ok(CLI_PUT_CHUNK_RECORDS <= GROUP_COMMIT_MAX_RECORDS);

// ---- ingest -----------------------------------------------------------------------------------

/**
 * Most journal records the ingestor applies in one store write (one engine transaction). Large:
 * a commit's cost is mostly the B-tree pages it rewrites and syncs, which random keys spread over
 * the whole file, so more records per commit share pages and the sync (measured on LMDB with
 * claims: 1,000 per commit ~10k/s, 4,096 ~22k/s, 16,384 ~36k/s). Bounded by the ops per write.
 */
export const INGEST_BATCH_MAX_RECORDS = 16_384;
/**
 * Records the ingestor reads from the log before it looks up, in one `KVStore.getMany`, the store
 * keys applying them needs. On LevelDB that read runs on a worker thread, off the event loop that
 * also serves writers; a lookup one by one cost about a sixth of the event loop's time.
 */
export const INGEST_PREFETCH_RECORDS = 1024;
/** Most key plus value bytes of one ingest batch; bounds the memory a batch holds. */
export const INGEST_BATCH_MAX_BYTES = 32 * 1024 * 1024;
/** Store ops an ingest batch keeps free for its cursor and counters. */
export const INGEST_META_RESERVED_OPS = 16;
/** Store bytes an ingest batch keeps free for its cursor and counters. */
export const INGEST_META_RESERVED_BYTES = 4096;
/** Most store ops one journal record can turn into (an assertion: `H:`, `S:`, `SP:`). */
export const INGEST_RECORD_MAX_OPS = 3;
/** Most bytes of an unapplied record's payload kept in its `Q:` entry; the rest is cut off. */
export const UNAPPLIED_PAYLOAD_MAX_BYTES = 1024 * 1024;
/**
 * Addresses the first layer of the ingestor's filter of stored `H:` keys is sized for (1.25 MiB
 * of bits); each layer that fills up is followed by one this many times larger.
 */
export const INGEST_FILTER_MIN_ADDRESSES = 1 << 20;
export const INGEST_FILTER_GROWTH = 2;
/**
 * Bytes of one slab the ingestor carves the `H:`, `S:` and `SP:` keys of its batches from
 * (`SlabAllocator`); keys longer than `INGEST_KEY_SLAB_MAX_KEY_BYTES` get their own array.
 * Measured ingesting claims, by an allocation profile of what survived young collections: 1,962
 * bytes a claim with keys of their own, 1,040 with the keys carved from slabs.
 */
export const INGEST_KEY_SLAB_BYTES = 64 * 1024;
export const INGEST_KEY_SLAB_MAX_KEY_BYTES = 2048;
/** Keys a rebuild deletes per store write while it clears the store. */
export const REBUILD_CLEAR_BATCH_KEYS = 8192;

assert.ok(
  INGEST_BATCH_MAX_RECORDS * INGEST_RECORD_MAX_OPS + INGEST_META_RESERVED_OPS <= STORE_WRITE_MAX_OPS,
);
assert.ok(REBUILD_CLEAR_BATCH_KEYS + INGEST_META_RESERVED_OPS <= STORE_WRITE_MAX_OPS);
assert.ok(16 * INGEST_KEY_SLAB_MAX_KEY_BYTES <= INGEST_KEY_SLAB_BYTES);
// One record's ops (a merged assertion, its two index keys, or a `Q:` entry) always fit in a batch
// of their own, so an oversize record can never wedge the ingestor.
assert.ok(
  2 * (RECORD_ENCODED_MAX_BYTES + 2 * STORE_KEY_MAX_BYTES) + INGEST_META_RESERVED_BYTES <=
    INGEST_BATCH_MAX_BYTES,
);
assert.ok(UNAPPLIED_PAYLOAD_MAX_BYTES + 2 * STORE_KEY_MAX_BYTES <= INGEST_BATCH_MAX_BYTES);
assert.ok(INGEST_BATCH_MAX_BYTES + INGEST_META_RESERVED_BYTES <= STORE_WRITE_MAX_BYTES);

// ---- db ---------------------------------------------------------------------------------------

/**
 * Acknowledged records the db keeps in memory, so that `get` sees them, until the ingestor has
 * applied them, by store engine. Writers wait for the ingestor once this many are outstanding.
 *
 * This is how far writers may run ahead of the ingestor, so it sets how much of the heap is alive
 * at once (the records, their index ops, the journal's recent copy), and V8 lets the heap grow to
 * a few times what is alive before it collects. It also bounds an ingest batch in practice, and
 * that is why the engines differ: an LMDB commit costs the B-tree pages it copies, which larger
 * batches share, while LevelDB's cost per record does not depend on the batch.
 *
 * Measured ingesting claims under `eventual` (bench/rss-probe.ts), 1,000,000 claims: at 65,536
 * records / 64 MiB the peak was 732 MB RSS on LevelDB (338 MB of JS heap) and 808 MB anonymous on
 * LMDB; at 8,192 / 8 MiB 452-470 MB (110 MB heap) and 236-302 MB. On LMDB 4,096 / 4 MiB then
 * took 65 s against 59 s at 8,192 (anonymous 211 against 282 MB). 5,000,000 claims on LevelDB:
 * 411 MiB peak (275 anonymous) at 46,126 claims/s with 8,192 / 8 MiB, 367 MiB (233) at 47,670/s
 * with 4,096 / 4 MiB, in one session. Later, with the probe compiled (no TypeScript loader) and
 * lmdb-js no longer loaded for a LevelDB store, 1,000,000 claims: 237-250 MiB at 4,096 / 4 MiB,
 * 216-222 MiB at 2,048 / 2 MiB, 192-201 MiB at 1,024 / 1 MiB; 5,000,000 at 2,048 / 2 MiB:
 * 312-319 MiB. What lives longer than two young-generation collections (about 30-50 ms here) is
 * promoted, and a record's time in the window is about the window over the ingest rate.
 *
 * LevelDB's window is two of `stemedb put`'s chunks, so one chunk is checked and appended while
 * the one before it is ingested. A write larger than the window is let through alone
 * (`WritePath`), so neither bound limits the size of a `putMany`.
 */
export const DB_UNINGESTED_MAX_RECORDS = { lmdb: 8192, leveldb: 2048 } as const;
/** Bytes of acknowledged, not yet applied records kept in memory, by engine; writers wait past this. */
export const DB_UNINGESTED_MAX_BYTES = { lmdb: 8 * 1024 * 1024, leveldb: 2 * 1024 * 1024 } as const;
/** Most records one `putMany` takes: one journal group commit's worth. */
export const DB_PUT_MANY_MAX_RECORDS = GROUP_COMMIT_MAX_RECORDS;

/** Most mismatches `verify` lists in its report; it counts all of them. */
export const VERIFY_MISMATCHES_MAX = 1000;
/** `verify` reports progress every this many store entries checked. */
export const VERIFY_PROGRESS_EVERY_ENTRIES = 1024;

for (const records of Object.values(DB_UNINGESTED_MAX_RECORDS)) {
  assert.ok(2 * CLI_PUT_CHUNK_RECORDS <= records);
}
for (const bytes of Object.values(DB_UNINGESTED_MAX_BYTES)) {
  assert.ok(RECORD_ENCODED_MAX_BYTES <= bytes);
}
