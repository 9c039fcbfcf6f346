export { Journal } from './journal.js';
export type { JournalOptions } from './journal.js';
export type { AppendResult } from './journal-writer.js';
export type { RecentBounds } from './recent-records.js';
export type { AppendOptions, JournalRecord, RecordLog, RetentionResult } from './record-log.js';
export { QUARANTINE_KINDS } from './recovery.js';
export type { QuarantineKind, QuarantinedRegion, RecoveryReport } from './recovery.js';
export { QUARANTINE_DIRECTORY } from './quarantine.js';
export { segmentFileName, parseSegmentFileName, frameBytes } from './format.js';
