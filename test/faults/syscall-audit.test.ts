// Proves from a real system-call trace that the journal keeps the order its write path promises:
// a new segment's header and directory entry are durable before records go in, every
// acknowledgement follows the sync that covers its record, close writes and syncs the seal, and
// atomicWrite syncs the temporary file before the rename and the directory after it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from '../support/temp-dir.js';
import { checkSyncOrder } from './sync-order-check.js';
import type { SyncOrderAudit } from './sync-order-check.js';
import { straceUnavailable, traceNodeChild } from './syscall-trace.js';
import type { TraceEvent } from './syscall-trace.js';

const RECORDS = process.env.STEMEDB_SOAK === '1' ? 600 : 60;
const CHILD = fileURLToPath(new URL('./audit-child.ts', import.meta.url));
const skip = straceUnavailable() ?? false;

let traced: Promise<{ dir: string; events: TraceEvent[] }> | undefined;

/** One traced run of the workload, shared by the tests of this file. */
function tracedRun(): Promise<{ dir: string; events: TraceEvent[] }> {
  traced ??= (async () => {
    const dir = fs.realpathSync(makeTempDir(undefined, 'stemedb-audit-'));
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    const events = await traceNodeChild(CHILD, [dir, String(RECORDS)], path.join(dir, 'trace.log'));
    return { dir, events };
  })();
  return traced;
}

function audit(dir: string, events: TraceEvent[]): SyncOrderAudit {
  return checkSyncOrder(events, path.join(dir, 'journal'), path.join(dir, 'state.json'));
}

const AUDIT_NAME = 'under strace, segments, acknowledgements, the seal and atomicWrite ' +
  'follow the promised sync order';
test(AUDIT_NAME, { skip }, async (t) => {
  const { dir, events } = await tracedRun();
  const result = audit(dir, events);
  t.diagnostic(`${events.length} traced events, ${result.segmentsCreated} segments created, ` +
    `${result.acknowledged} acknowledgements, ${result.segmentSyncs} segment syncs`);
  assert.deepEqual(result.violations, []);
  assert.equal(result.acknowledged, RECORDS);
  const created = result.segmentsCreated;
  assert.ok(created >= 3, `the workload rotated through only ${created} segments`);
});

/** Edits of the real trace that each remove one promised step; the audit must notice every one. */
interface TraceEdit {
  name: string;
  drop: (event: TraceEvent, dir: string) => boolean;
  expected: RegExp;
}

const EDITS: TraceEdit[] = [
  {
    name: 'no fsync of the temporary file',
    drop: (e) => e.kind === 'sync' && e.path.endsWith('state.json.tmp'),
    expected: /atomicWrite: no "fsync it"/,
  },
  {
    name: 'no directory fsync after the rename',
    drop: (e, dir) => e.kind === 'sync' && e.path === dir,
    expected: /atomicWrite: no "fsync the directory"/,
  },
  {
    name: 'no sync after the seal',
    drop: (e, dir) =>
      e.kind === 'sync' && e.path.startsWith(`${dir}/journal/`) && e.call === 'fdatasync',
    expected: /seal was not synced/,
  },
  {
    name: 'no segment header fsync',
    drop: (e) => e.kind === 'sync' && e.call === 'fsync' && e.path.endsWith('.wal'),
    expected: /records were written before its header was fsynced/,
  },
];

test('the audit reports a trace edited to leave out any one promised sync', { skip }, async () => {
  const { dir, events } = await tracedRun();
  for (const { name, drop, expected } of EDITS) {
    const violations = audit(dir, events.filter((event) => !drop(event, dir))).violations;
    assert.ok(violations.some((violation) => expected.test(violation)),
      `${name} went unnoticed: ${violations.join('; ') || 'no violations'}`);
  }
});
