/** Entry points of the strict reader: a lazy view of any record, or a full decode. */
import assert from 'node:assert/strict';
import { AssertionView } from './assertion-view.js';
import { EpochView } from './epoch-view.js';
import { fail } from './format-checks.js';
import type { StemeRecord } from './record-types.js';
import { VoteView } from './vote-view.js';

export type RecordView = AssertionView | VoteView | EpochView;

/**
 * A view of the record in `bytes`, chosen by its envelope's type byte. Throws `RecordFormatError`
 * unless `bytes` is exactly one canonical record. The view reads `bytes` in place (see
 * `AssertionView` for the ownership rule).
 */
export function viewRecord(bytes: Uint8Array): RecordView {
  assert.ok(bytes instanceof Uint8Array, 'a record is a Uint8Array');
  switch (bytes[0]) {
    case 0:
      return new AssertionView(bytes);
    case 1:
      return new VoteView(bytes);
    case 2:
      return new EpochView(bytes);
    case undefined:
      return fail('truncated', 0, 'no bytes');
    default:
      return fail('unknown-record-type', 0, `type byte ${bytes[0]}`);
  }
}

/**
 * The typed record in `bytes`, owning copies of every byte array. Throws `RecordFormatError`
 * unless `bytes` is exactly one canonical record; never any other error for any input bytes.
 */
export function decodeRecord(bytes: Uint8Array): StemeRecord {
  return viewRecord(bytes).toRecord();
}
