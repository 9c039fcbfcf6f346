// Proves the db's table of acknowledged, unapplied records: it returns every copy of a record until
// the ingestor's cursor passes it, and what it trims can be collected at once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { survivorsOf } from '../../test/support/garbage.js';
import { UningestedRecords } from './uningested-records.js';

test('keeps each copy of a record until the cursor passes it, then lets it be collected', async () => {
  const uningested = new UningestedRecords();
  const copies: Array<WeakRef<Uint8Array>> = [];
  for (let i = 0; i < 20; i++) {
    const bytes = new Uint8Array([i]);
    copies.push(new WeakRef(bytes));
    uningested.add(i % 2 === 0 ? 'even' : `odd-${i}`, i * 8, bytes, 0);
  }
  assert.deepEqual([uningested.count, uningested.bytes, uningested.oldestOffset], [20, 20, 0]);
  assert.deepEqual(uningested.get('even').map((bytes) => bytes[0]), [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);

  uningested.trim(16 * 8);
  assert.deepEqual([uningested.count, uningested.bytes, uningested.oldestOffset], [4, 4, 16 * 8]);
  assert.deepEqual(uningested.get('even').map((bytes) => bytes[0]), [16, 18]);
  assert.deepEqual(uningested.get('odd-15'), []);
  const survivors = await survivorsOf(copies);
  assert.deepEqual(survivors, Array.from({ length: 20 }, (_, i) => i >= 16));
});

test('a record acknowledged after the cursor passed it is not kept', () => {
  const uningested = new UningestedRecords();
  uningested.add('late', 8, new Uint8Array([1]), 16);
  assert.deepEqual([uningested.count, uningested.get('late').length], [0, 0]);
});
