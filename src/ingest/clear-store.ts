/**
 * Empties the derived store before a rebuild, safely across crashes.
 *
 * Steps, each one atomic store write:
 *   1. put `META:ingest.rebuilding` and the new journal identity, delete the cursor;
 *   2. delete every other key, `REBUILD_CLEAR_BATCH_KEYS` at a time;
 *   3. delete `META:ingest.rebuilding`.
 * A crash before step 3 leaves the marker, and the next open starts the clear again; so the
 * store is never taken for a consistent fold of the log while it still holds part of an old one.
 */
import { REBUILD_CLEAR_BATCH_KEYS } from '../limits.js';
import type { KVStore, WriteOp } from '../store/index.js';
import { bytesEqual } from '../records/index.js';
import { CURSOR_KEY, JOURNAL_ID_KEY, REBUILDING_KEY, encodeText } from './ingest-meta.js';

export async function clearStore(store: KVStore, journalId: string): Promise<void> {
  await store.write([
    { type: 'put', key: REBUILDING_KEY, value: new Uint8Array(0) },
    { type: 'put', key: JOURNAL_ID_KEY, value: encodeText(journalId) },
    { type: 'delete', key: CURSOR_KEY },
  ]);
  for (;;) {
    const deletes: WriteOp[] = [];
    // The two kept keys are among the first `limit` at most, so each round deletes at least
    // `limit - 2` keys or reaches the end.
    for await (const [key] of store.iterate({ limit: REBUILD_CLEAR_BATCH_KEYS })) {
      if (bytesEqual(key, REBUILDING_KEY) || bytesEqual(key, JOURNAL_ID_KEY)) continue;
      deletes.push({ type: 'delete', key });
    }
    if (deletes.length === 0) break;
    await store.write(deletes);
  }
  await store.write([{ type: 'delete', key: REBUILDING_KEY }]);
}
