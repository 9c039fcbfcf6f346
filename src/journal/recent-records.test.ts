// Proves the recent-record cache: finds records by offset in and out of order, keeps at most its
// bounds (oldest dropped first), lets what it dropped be collected, and forgets everything on clear.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { survivorsOf } from '../../test/support/garbage.js';
import { JOURNAL_RECENT_MAX_BYTES, JOURNAL_RECENT_MAX_RECORDS } from '../limits.js';
import { RecentRecords } from './recent-records.js';
import type { JournalRecord } from './record-log.js';

function recordAt(offset: number, payloadBytes = 8): JournalRecord {
  return { offset, nextOffset: offset + 8, hash: new Uint8Array(32), payload: new Uint8Array(payloadBytes) };
}

test('finds kept records by offset, sequentially or not, and nothing else', () => {
  const recent = new RecentRecords();
  for (let i = 0; i < 100; i++) recent.add(recordAt(i * 8));
  for (let i = 0; i < 100; i++) assert.equal(recent.find(i * 8)?.offset, i * 8);
  for (const i of [73, 2, 99, 0, 50, 51]) assert.equal(recent.find(i * 8)?.offset, i * 8);
  assert.equal(recent.find(4), undefined);
  assert.equal(recent.find(800), undefined);
  recent.clear();
  assert.equal(recent.find(0), undefined);
});

test('keeps at most its record bound, dropping the oldest', () => {
  const recent = new RecentRecords();
  const total = JOURNAL_RECENT_MAX_RECORDS + 5000;
  for (let i = 0; i < total; i++) recent.add(recordAt(i * 8));
  const firstKept = total - JOURNAL_RECENT_MAX_RECORDS;
  assert.equal(recent.find((firstKept - 1) * 8), undefined);
  assert.equal(recent.find(firstKept * 8)?.offset, firstKept * 8);
  assert.equal(recent.find((total - 1) * 8)?.offset, (total - 1) * 8);
});

test('keeps at most its byte bound, dropping the oldest', () => {
  const recent = new RecentRecords();
  const payloadBytes = 1024 * 1024;
  const fit = Math.floor(JOURNAL_RECENT_MAX_BYTES / payloadBytes);
  for (let i = 0; i < fit + 3; i++) recent.add(recordAt(i * 8, payloadBytes));
  assert.equal(recent.find(2 * 8), undefined);
  assert.equal(recent.find(3 * 8)?.offset, 3 * 8);
  assert.equal(recent.find((fit + 2) * 8)?.offset, (fit + 2) * 8);
});

test('keeps the bounds it is given instead of the defaults', () => {
  const recent = new RecentRecords({ maxRecords: 10, maxBytes: 100 });
  for (let i = 0; i < 25; i++) recent.add(recordAt(i * 8));
  // 10 records of 8 bytes: the record bound binds first.
  assert.equal(recent.find(14 * 8), undefined);
  for (let i = 15; i < 25; i++) assert.equal(recent.find(i * 8)?.offset, i * 8);
  recent.add(recordAt(25 * 8, 60));
  // Eleven records: the oldest goes; then 9 × 8 + 60 = 132 bytes is over 100, and the oldest go
  // until what is left (records 20..24 and the new one) comes to 100 bytes.
  assert.equal(recent.find(19 * 8), undefined);
  assert.equal(recent.find(20 * 8)?.offset, 20 * 8);
  assert.equal(recent.find(25 * 8)?.offset, 25 * 8);
});

test('what it dropped can be collected at once, not only when it compacts', async () => {
  const recent = new RecentRecords({ maxRecords: 4, maxBytes: 1024 * 1024 });
  const payloads: Array<WeakRef<Uint8Array>> = [];
  for (let i = 0; i < 20; i++) {
    const record = recordAt(i * 8);
    payloads.push(new WeakRef(record.payload));
    recent.add(record);
  }
  const survivors = await survivorsOf(payloads);
  assert.deepEqual(survivors, Array.from({ length: 20 }, (_, i) => i >= 16));
  assert.equal(recent.find(16 * 8)?.offset, 16 * 8);
});
