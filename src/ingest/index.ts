/**
 * The ingest layer: folds the journal into the store, one atomic store write per run of records.
 */
export { Ingestor, REBUILD_REASONS } from './ingestor.js';
export type { BatchInfo, IngestHooks, IngestorOptions, RebuildReason } from './ingestor.js';
export { IngestFailedError, StoreCorruptionError } from './ingest-errors.js';
export { COUNTER_KINDS, CURSOR_KEY, JOURNAL_ID_KEY, decodeU64 } from './ingest-meta.js';
export type { CounterKind, Counters } from './ingest-meta.js';
export { decodeUnappliedEntry, encodeUnappliedEntry } from './unapplied-entry.js';
export type { UnappliedEntry } from './unapplied-entry.js';
