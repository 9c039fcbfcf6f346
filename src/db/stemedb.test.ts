// Proves the library facade's contract on the real engine: records of every type round-trip and
// are readable as soon as acknowledged at every durability level, queries and votes work, the same
// claim signed twice is one record, bad input is refused with a coded error and nothing written,
// verify finds planted damage, and a closed database refuses every call.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { closeAtEnd, makeTempDir } from '../../test/support/temp-dir.js';
import { DURABILITY_KINDS, nodeFileSystem } from '../durability/index.js';
import {
  contentAddress,
  generateSigningKey,
  parseAssertionInput,
  parseRecordInput,
  parseVoteInput,
  signRecord,
  toHex,
  toOutput,
} from '../records/index.js';
import type { AssertionInput, SigningKey, StemeRecord } from '../records/index.js';
import { LevelStore, hashKey, subjectKey } from '../store/index.js';
import type { StemeDBOptions } from './db-types.js';
import { JOURNAL_IDENTITY_FILE } from './journal-identity.js';
import { StemeDB } from './stemedb.js';

const HASH_A = 'ab'.repeat(32);
const HASH_B = 'cd'.repeat(32);

async function openDb(
  t: TestContext,
  options: StemeDBOptions = {},
  dir = makeTempDir(t),
): Promise<StemeDB> {
  const db = await StemeDB.open(dir, options);
  closeAtEnd(t, () => db.close());
  return db;
}

function claim(
  subject: string,
  predicate: string,
  value: AssertionInput['object'],
  extra: Partial<AssertionInput> = {},
): AssertionInput {
  return { subject, predicate, object: value, timestamp: 1_700_000_000_000, ...extra };
}

const text = (value: string): AssertionInput['object'] => ({ type: 'text', value });
const number = (value: number): AssertionInput['object'] => ({ type: 'number', value });

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** `input` signed by `keys`, as JSON input. */
function signed(input: AssertionInput, ...keys: SigningKey[]): AssertionInput {
  const record = keys.reduce(
    (r, key, i) => signRecord(r, key, 1_700_000_000_000 + i),
    parseAssertionInput(input),
  );
  const { hash: _hash, ...output } = toOutput(record) as AssertionInput & { hash: string };
  return output;
}

const VARIANTS: AssertionInput[] = [
  claim('entity:Q42', 'name', text('Douglas Adams'), { confidence: 0.9, sourceHash: HASH_A }),
  claim('entity:Q42', 'born', number(1952.25), { parentHash: HASH_B, epoch: HASH_A }),
  claim('entity:Q42', 'alive', { type: 'boolean', value: false }, {
    visualHash: '0123456789abcdef',
  }),
  claim('entity:Q42', 'occupation', { type: 'reference', value: 'entity:Q36180' }, {
    vector: [0.5, -1.25, 3],
  }),
  claim('entité/ü', 'text', text('')),
];

for (const durability of DURABILITY_KINDS) {
  const name = `under ${durability}, every record type round-trips and get sees it once acked`;
  test(name, async (t) => {
    const db = await openDb(t, { durability });
    for (const input of VARIANTS) {
      const result = await db.assert(input);
      assert.equal(result.type, 'assertion');
      assert.match(result.hash, /^[0-9a-f]{64}$/);
      assert.deepEqual(await db.get(result.hash), toOutput(parseAssertionInput(input)));
    }
    const target = (await db.assert(VARIANTS[0] as AssertionInput)).hash;
    const voteInput = { assertionHash: target, agentId: HASH_B, weight: -0.5, timestamp: 5 };
    const vote = await db.vote(voteInput);
    assert.equal(vote.type, 'vote');
    assert.deepEqual(await db.get(vote.hash), { type: 'vote', hash: vote.hash, ...voteInput });
    const epochInput = { name: 'census-2021', timestamp: 7, description: 'figures' };
    const epoch = await db.epoch(epochInput);
    assert.deepEqual(await db.get(epoch.hash), { type: 'epoch', hash: epoch.hash, ...epochInput });
    const put = await db.put({ type: 'epoch', name: 'next', supersedes: epoch.hash, timestamp: 8 });
    assert.equal((await db.get(put.hash))?.type, 'epoch');
    assert.equal(await db.get('00'.repeat(32)), undefined);
    await db.flush();
    const stats = await db.stats();
    assert.deepEqual([stats.assertions, stats.votes, stats.epochs, stats.unapplied], [5, 1, 2, 0]);
    assert.equal(stats.ingestedOffset, stats.journal.endOffset);
    assert.match(stats.durability, new RegExp(`^${durability}`));
  });
}

test('a write returns the content address, signed or not, alone or in putMany', async (t) => {
  const db = await openDb(t);
  const [alice, bob] = [generateSigningKey(), generateSigningKey()];
  const input = claim('s', 'p', text('v'));
  const vote = parseVoteInput({ assertionHash: HASH_A, agentId: toHex(alice.agentId), weight: 1 });
  // A signed record's address leaves its signatures out, so it is not the hash of its bytes.
  const records: StemeRecord[] = [
    parseAssertionInput(input),
    parseAssertionInput(signed(input, alice)),
    parseAssertionInput(signed(claim('s', 'q', text('w')), alice, bob)),
    vote,
    signRecord(vote, alice),
    parseRecordInput({ type: 'epoch', name: 'e', timestamp: 2 }),
  ];
  const inputs = records.map((record) => {
    const { hash: _hash, ...output } = toOutput(record) as { hash: string };
    return { ...output, type: record.type };
  });
  const expected = records.map((record) => toHex(contentAddress(record)));
  const one = [];
  for (const recordInput of inputs) one.push((await db.put(recordInput)).hash);
  assert.deepEqual(one, expected);
  assert.deepEqual((await db.putMany(inputs)).map((result) => result.hash), expected);
  for (const hash of expected) assert.equal((await db.get(hash))?.hash, hash);
});

for (const durability of ['immediate', 'batched', 'eventual'] as const) {
  test(`under ${durability}, a scan right after a write sees it, and so do votesFor`, async (t) => {
    const db = await openDb(t, { durability });
    for (let round = 0; round < 20; round++) {
      const { hash } = await db.assert(claim('fresh', 'p', number(round)));
      const seen = await collect(db.bySubject('fresh', { predicate: 'p' }));
      assert.ok(seen.some((item) => item.hash === hash), `round ${round}: the scan missed ${hash}`);
      await db.vote({ assertionHash: hash, agentId: HASH_A, weight: 1 });
      assert.equal((await collect(db.votesFor(hash))).length, 1, `round ${round}: votesFor`);
    }
  });
}

test('bySubject lists a subject with or without a predicate, and limit bounds it', async (t) => {
  const db = await openDb(t);
  const results = await db.putMany([
    claim('s', 'p1', number(1)),
    claim('s', 'p1', number(2)),
    claim('s', 'p2', number(3)),
    claim('s2', 'p1', number(4)),
    claim('s\u0001', 'p1', number(5)),
  ]);
  await db.waitForIngest((results.at(-1) ?? { offset: 0 }).offset);
  const values = (items: { object: { value: unknown } }[]): unknown[] =>
    items.map((i) => i.object.value).sort();
  assert.deepEqual(values(await collect(db.bySubject('s'))), [1, 2, 3]);
  assert.deepEqual(values(await collect(db.bySubject('s', { predicate: 'p1' }))), [1, 2]);
  assert.deepEqual(values(await collect(db.bySubjectPredicate('s', 'p2'))), [3]);
  assert.equal((await collect(db.bySubject('s', { limit: 2 }))).length, 2);
  assert.equal((await collect(db.bySubjectPredicate('s', 'p1', { limit: 1 }))).length, 1);
  assert.deepEqual(await collect(db.bySubject('nobody')), []);
  for (const item of await collect(db.bySubject('s'))) {
    assert.deepEqual(await db.get(item.hash), item);
  }
  const invalid = (field: string): object => ({ code: 'INVALID_ARGUMENT', field });
  await assert.rejects(collect(db.bySubject('')), invalid('subject'));
  await assert.rejects(collect(db.bySubject('a\u0000b')), invalid('subject'));
  await assert.rejects(collect(db.bySubject('s', { limit: 0 })), invalid('limit'));
});

test('votesFor lists the votes on one assertion, signed ones verified', async (t) => {
  const db = await openDb(t);
  const agent = generateSigningKey();
  const target = (await db.assert(claim('s', 'p', { type: 'boolean', value: true }))).hash;
  const other = (await db.assert(claim('s', 'p', { type: 'boolean', value: false }))).hash;
  const agentId = toHex(agent.agentId);
  const unsigned = parseVoteInput({ assertionHash: target, agentId, weight: 1, timestamp: 3 });
  const vote = signRecord(unsigned, agent);
  const signedVote = await db.vote(toOutput(vote) as Parameters<StemeDB['vote']>[0]);
  await db.vote({ assertionHash: target, agentId: HASH_A, weight: -1, timestamp: 4 });
  await db.vote({ assertionHash: other, agentId: HASH_A, weight: 0, timestamp: 4 });
  await db.flush();
  const votes = await collect(db.votesFor(target));
  assert.equal(votes.length, 2);
  const signature = toHex(vote.signature ?? new Uint8Array());
  assert.ok(votes.some((v) => v.hash === signedVote.hash && v.signature === signature));
  assert.equal((await collect(db.votesFor(other))).length, 1);
  const invalid = { code: 'INVALID_ARGUMENT', field: 'assertionHash' };
  await assert.rejects(collect(db.votesFor('xyz')), invalid);
});

test('the same claim signed by two agents is one record with both signatures', async (t) => {
  const db = await openDb(t);
  const [alice, bob] = [generateSigningKey(), generateSigningKey()];
  const input = claim('paris', 'capital-of', { type: 'reference', value: 'france' });
  const first = await db.assert(signed(input, alice));
  const second = await db.assert(signed(input, bob));
  assert.equal(first.hash, second.hash);
  const expected = [alice.agentId, bob.agentId].map(toHex).sort();
  const before = await db.get(first.hash);
  assert.equal(before?.type, 'assertion');
  const agents = before?.type === 'assertion' ? before.signatures.map((s) => s.agentId) : [];
  assert.deepEqual(agents, expected);
  await db.flush();
  const listed = await collect(db.bySubject('paris'));
  assert.equal(listed.length, 1);
  assert.deepEqual(listed[0]?.signatures.map((s) => s.agentId), expected);
  assert.equal((await db.stats()).assertions, 1);
});

/** What a bad input is, the input, and the field its refusal names. */
const BAD_INPUTS: Array<[string, unknown, string]> = [
  ['NaN confidence', claim('s', 'p', text('x'), { confidence: Number.NaN }), 'confidence'],
  ['confidence above 1', claim('s', 'p', text('x'), { confidence: 1.5 }), 'confidence'],
  ['an empty subject', claim('', 'p', text('x')), 'subject'],
  ['a subject with NUL', claim('a\u0000b', 'p', text('x')), 'subject'],
  ['an unknown object type', claim('s', 'p', { type: 'date', value: 'x' } as never), 'object.type'],
  ['a value of the wrong type', claim('s', 'p', number('x' as never)), 'object.value'],
  ['a malformed hash', claim('s', 'p', text('x'), { sourceHash: 'abc' }), 'sourceHash'],
  ['an oversize record', claim('s', 'p', text('x'.repeat(1024 * 1024))), 'record'],
  [
    'an oversize record in total',
    claim('s', 'p', text('x'.repeat(1024 * 1024 - 64)), { vector: Array<number>(4096).fill(1) }),
    'record',
  ],
  ['an unknown record type', { type: 'comment', subject: 's' }, 'type'],
  [
    'a vote weight out of range',
    { type: 'vote', assertionHash: HASH_A, agentId: HASH_B, weight: 2 },
    'weight',
  ],
];

test('bad input is refused with INVALID_ARGUMENT naming the field', async (t) => {
  const db = await openDb(t);
  const end = (await db.stats()).journal.endOffset;
  for (const [what, input, field] of BAD_INPUTS) {
    await assert.rejects(db.put(input), { code: 'INVALID_ARGUMENT', field }, what);
  }
  const wrongType = db.assert({ type: 'vote' } as never);
  await assert.rejects(wrongType, { code: 'INVALID_ARGUMENT', field: 'type' });
  await assert.rejects(db.put('not an object'), { code: 'INVALID_ARGUMENT' });
  assert.equal((await db.stats()).journal.endOffset, end);
});

test('a forged signature is refused with INVALID_SIGNATURE, and nothing is written', async (t) => {
  const db = await openDb(t);
  const end = (await db.stats()).journal.endOffset;
  const input = signed(claim('s', 'p', text('x')), generateSigningKey());
  const forgedSignatures = (input.signatures ?? []).map((s) => ({
    ...s,
    signature: 'ee'.repeat(64),
  }));
  const forged = db.assert({ ...input, signatures: forgedSignatures });
  await assert.rejects(forged, { code: 'INVALID_SIGNATURE' });
  const otherClaim = { ...input, subject: 'someone else' };
  await assert.rejects(db.assert(otherClaim), { code: 'INVALID_SIGNATURE' });
  assert.equal((await db.stats()).journal.endOffset, end);
});

test('requireSignatures refuses unsigned assertions and votes but takes signed ones', async (t) => {
  const db = await openDb(t, { requireSignatures: true });
  const refused = { code: 'INVALID_SIGNATURE' };
  await assert.rejects(db.assert(claim('s', 'p', text('x'))), refused);
  await assert.rejects(db.vote({ assertionHash: HASH_A, agentId: HASH_B, weight: 1 }), refused);
  await db.assert(signed(claim('s', 'p', text('x')), generateSigningKey()));
  await db.epoch({ name: 'epochs carry no signature' });
  const badOption = StemeDB.open(makeTempDir(t), { requireSignatures: 'yes' as never });
  await assert.rejects(badOption, { code: 'INVALID_ARGUMENT', field: 'requireSignatures' });
});

test('an open after a clean close trusts the journal to its checkpoint; fullScan checks it all', async (t) => {
  const dir = makeTempDir(t);
  const db = await StemeDB.open(dir);
  const { hash } = await db.assert(claim('s', 'p', text('kept in the store')));
  await db.close();
  const journal = path.join(dir, 'journal');
  const [segment] = fs.readdirSync(journal).filter((name) => name.endsWith('.wal'));
  assert.ok(segment !== undefined);
  // A payload byte of the first record, which the checkpoint of that close covers.
  const file = path.join(journal, segment);
  const bytes = fs.readFileSync(file);
  bytes[32 + 56 + 10] = (bytes[32 + 56 + 10] as number) ^ 0x01;
  fs.writeFileSync(file, bytes);
  const reopened = await StemeDB.open(dir);
  assert.equal(reopened.recoveryReport.recordsScanned, 0);
  assert.equal(((await reopened.get(hash)) as { subject?: string } | undefined)?.subject, 's');
  await reopened.close();
  await assert.rejects(StemeDB.open(dir, { fullScan: true }), { code: 'CORRUPTION' });
  const badOption = StemeDB.open(makeTempDir(t), { fullScan: 'yes' as never });
  await assert.rejects(badOption, { code: 'INVALID_ARGUMENT', field: 'fullScan' });
});

test('putMany writes all or, with one bad input, nothing and names its index', async (t) => {
  const db = await openDb(t);
  const end = (await db.stats()).journal.endOffset;
  const good = claim('s', 'p', text('x'));
  const bad = claim('', 'p', text('x'));
  const refusal = { code: 'INVALID_ARGUMENT', index: 2, field: '[2].subject' };
  await assert.rejects(db.putMany([good, good, bad]), refusal);
  const forged = { ...signed(good, generateSigningKey()), subject: 't' };
  await assert.rejects(db.putMany([good, forged]), { code: 'INVALID_SIGNATURE', index: 1 });
  assert.equal((await db.stats()).journal.endOffset, end);
  const results = await db.putMany([good, { type: 'epoch', name: 'e' }, { ...good, subject: 'u' }]);
  assert.deepEqual(results.map((r) => r.type), ['assertion', 'epoch', 'assertion']);
  assert.ok(results.every((r, i) => i === 0 || r.offset > (results[i - 1]?.offset ?? 0)));
  assert.deepEqual(await db.putMany([]), []);
});

test('everything written is there after a reopen, whatever the durability level was', async (t) => {
  const dir = makeTempDir(t);
  const hashes: string[] = [];
  for (const durability of DURABILITY_KINDS) {
    const db = await StemeDB.open(dir, { durability });
    for (let i = 0; i < 20; i++) {
      hashes.push((await db.assert(claim(`s${i % 4}`, durability, number(i)))).hash);
    }
    await db.close();
  }
  const db = await openDb(t, {}, dir);
  for (const hash of hashes) assert.equal((await db.get(hash))?.hash, hash);
  await db.processPending();
  assert.equal((await collect(db.bySubject('s0'))).length, 15);
  assert.equal((await db.stats()).assertions, 60);
  assert.equal((await db.verify()).ok, true);
});

test('verify finds a record unlike its key and an index entry without a record', async (t) => {
  const dir = makeTempDir(t);
  const db = await StemeDB.open(dir);
  const a = await db.assert(claim('s', 'p', number(1)));
  const b = await db.assert(claim('s', 'p', number(2)));
  const progress: number[] = [];
  const clean = await db.verify({ onProgress: (checked) => progress.push(checked) });
  assert.deepEqual([clean.ok, clean.checked, clean.mismatches], [true, 6, []]);
  assert.equal(progress.at(-1), 6);
  await db.close();
  const store = await LevelStore.open(path.join(dir, 'store'));
  const bytesOf = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));
  const [hashA, hashB] = [bytesOf(a.hash), bytesOf(b.hash)];
  const bytesOfB = store.getSync(hashKey(hashB)) ?? new Uint8Array();
  const orphan = new Uint8Array(32).fill(9);
  await store.write([
    { type: 'put', key: hashKey(hashA), value: bytesOfB },
    { type: 'put', key: subjectKey('s', orphan), value: new Uint8Array(0) },
  ]);
  await store.close();
  const reopened = await openDb(t, {}, dir);
  const report = await reopened.verify();
  assert.equal(report.ok, false);
  const problems = report.mismatches.map((m) => m.problem).sort();
  assert.deepEqual(problems, ['hash-mismatch', 'missing-record']);
  const planted = toHex(hashKey(hashA));
  assert.ok(report.mismatches.some((m) => m.key === planted && m.problem === 'hash-mismatch'));
  await reopened.rebuild();
  assert.equal((await reopened.verify()).ok, true);
});

test('a new store is LevelDB; unasked, an existing store keeps its engine and is not rebuilt', async (t) => {
  const dir = makeTempDir(t);
  const fresh = await StemeDB.open(dir);
  const { hash } = await fresh.assert(claim('s', 'p', number(1)));
  assert.equal((await fresh.stats()).store, 'leveldb');
  await fresh.close();
  assert.ok(fs.existsSync(path.join(dir, 'store', 'CURRENT')));

  const onLmdb = await openDb(t, { store: 'lmdb' }, dir);
  assert.equal((await onLmdb.stats()).rebuiltAtOpen, 'engine-changed');
  await onLmdb.close();
  const kept = await openDb(t, {}, dir);
  const stats = await kept.stats();
  assert.deepEqual([stats.store, stats.rebuiltAtOpen, stats.assertions], ['lmdb', undefined, 1]);
  assert.equal((await kept.get(hash))?.hash, hash);
});

test('switching store engines discards the old store and rebuilds the new one from the journal', async (t) => {
  const dir = makeTempDir(t);
  const written: string[] = [];
  const level = await StemeDB.open(dir, { store: 'leveldb' });
  for (let i = 0; i < 20; i++) written.push((await level.assert(claim('s', 'p', number(i)))).hash);
  assert.equal((await level.stats()).store, 'leveldb');
  await level.close();
  assert.ok(fs.existsSync(path.join(dir, 'store', 'CURRENT')));

  const lmdb = await openDb(t, { store: 'lmdb' }, dir);
  const stats = await lmdb.stats();
  assert.deepEqual([stats.store, stats.rebuiltAtOpen, stats.assertions], ['lmdb', 'engine-changed', 20]);
  for (const hash of written) assert.equal((await lmdb.get(hash))?.hash, hash);
  assert.equal((await collect(lmdb.bySubject('s'))).length, 20);
  assert.equal(fs.existsSync(path.join(dir, 'store', 'CURRENT')), false);
  assert.equal(fs.existsSync(path.join(dir, 'store.discarded')), false);

  // And back: the LMDB store gives way to a LevelDB one the same way.
  await lmdb.close();
  const again = await openDb(t, { store: 'leveldb' }, dir);
  assert.equal((await again.stats()).rebuiltAtOpen, 'engine-changed');
  assert.equal((await collect(again.bySubject('s'))).length, 20);
});

test('a LevelDB store that lost a batch mid-log is discarded and rebuilt, nothing lost', async (t) => {
  const dir = makeTempDir(t);
  const written: string[] = [];
  const db = await StemeDB.open(dir, { store: 'leveldb' });
  // One ingest batch per assert: about 300 LevelDB log records, several 32 KiB log blocks.
  for (let i = 0; i < 300; i++) {
    const result = await db.assert(claim(`s${i % 7}`, 'p', text(`value ${i} ${'x'.repeat(100)}`)));
    await db.waitForIngest(result.offset);
    written.push(result.hash);
  }
  await db.close();
  const storeDirectory = path.join(dir, 'store');
  const [log] = fs.readdirSync(storeDirectory).filter((name) => name.endsWith('.log'));
  const logPath = path.join(storeDirectory, log ?? '');
  const size = fs.statSync(logPath).size;
  assert.ok(size > 3 * 32 * 1024, `the log spans several blocks (${size} bytes)`);
  const handle = fs.openSync(logPath, 'r+');
  fs.writeSync(handle, Buffer.alloc(512, 0xa5), 0, 512, Math.floor(size / 2));
  fs.closeSync(handle);
  await assert.rejects(LevelStore.open(storeDirectory), { code: 'CORRUPTION' });

  const reopened = await openDb(t, { store: 'leveldb' }, dir);
  const stats = await reopened.stats();
  assert.deepEqual([stats.rebuiltAtOpen, stats.assertions], ['store-damaged', 300]);
  for (const hash of written) assert.equal((await reopened.get(hash))?.hash, hash);
  assert.equal((await reopened.verify()).ok, true);
});

test('a closed database refuses every call with CLOSED, and close is idempotent', async (t) => {
  const dir = makeTempDir(t);
  const db = await StemeDB.open(dir);
  const { hash, offset } = await db.assert(claim('s', 'p', text('x')));
  const iterable = db.bySubject('s');
  await Promise.all([db.close(), db.close()]);
  await db.close();
  const calls: Array<[string, () => Promise<unknown>]> = [
    ['assert', () => db.assert(claim('s', 'p', text('x')))],
    ['vote', () => db.vote({ assertionHash: hash, agentId: HASH_A, weight: 1 })],
    ['epoch', () => db.epoch({ name: 'e' })],
    ['put', () => db.put({ type: 'epoch', name: 'e' })],
    ['putMany', () => db.putMany([])],
    ['get', () => db.get(hash)],
    ['bySubject', () => collect(iterable)],
    ['bySubjectPredicate', () => collect(db.bySubjectPredicate('s', 'p'))],
    ['votesFor', () => collect(db.votesFor(hash))],
    ['stats', () => db.stats()],
    ['verify', () => db.verify()],
    ['flush', () => db.flush()],
    ['waitForIngest', () => db.waitForIngest(offset)],
    ['processPending', () => db.processPending()],
    ['rebuild', () => db.rebuild()],
  ];
  for (const [name, call] of calls) await assert.rejects(call(), { code: 'CLOSED' }, name);
});

test('a journal whose identity changed makes the open rebuild the store from it', async (t) => {
  const dir = makeTempDir(t);
  const db = await StemeDB.open(dir);
  const { hash } = await db.assert(claim('s', 'p', text('x')));
  await db.close();
  fs.rmSync(path.join(dir, 'journal', JOURNAL_IDENTITY_FILE));
  const reopened = await openDb(t, {}, dir);
  assert.equal((await reopened.stats()).rebuiltAtOpen, 'journal-changed');
  assert.equal((await reopened.get(hash))?.hash, hash);
  assert.equal((await collect(reopened.bySubject('s'))).length, 1);
});

test('one directory has one owner: a second open fails FILE_LOCKED until it closes', async (t) => {
  const dir = makeTempDir(t);
  const db = await StemeDB.open(path.join(dir, 'nested', 'db'));
  await assert.rejects(StemeDB.open(path.join(dir, 'nested', 'db')), { code: 'FILE_LOCKED' });
  await db.close();
  await (await StemeDB.open(path.join(dir, 'nested', 'db'))).close();
});

test('lmdb-js is loaded only by a database that runs on LMDB', async (t) => {
  const loaded = async (options: StemeDBOptions): Promise<string[]> => {
    const source = `
      import fs from 'node:fs';
      const { StemeDB } = await import(${JSON.stringify(new URL('./stemedb.ts', import.meta.url).href)});
      const db = await StemeDB.open(process.argv[1], JSON.parse(process.argv[2]));
      await db.assert({ subject: 's', predicate: 'p', object: { type: 'number', value: 1 } });
      await db.close();
      const mapped = fs.readFileSync('/proc/self/maps', 'utf8').split('\\n').map((line) => line.split(/\\s+/)[5]);
      process.stdout.write(JSON.stringify([...new Set(mapped.filter((file) => file?.endsWith('.node')))]));
    `;
    const args = ['--import', 'tsx', '--input-type=module', '-e', source, makeTempDir(t)];
    const child = spawn(process.execPath, [...args, JSON.stringify(options)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const [code] = (await once(child, 'close')) as [number | null];
    assert.equal(code, 0);
    return JSON.parse(output) as string[];
  };
  const hasAddon = (files: string[], pkg: string) => files.some((file) => file.includes(`/${pkg}/`));
  const onLevel = await loaded({});
  assert.ok(hasAddon(onLevel, 'classic-level'), `classic-level's addon: ${onLevel.join()}`);
  assert.ok(!hasAddon(onLevel, '@lmdb'), `no lmdb addon: ${onLevel.join()}`);
  const onLmdb = await loaded({ store: 'lmdb' });
  assert.ok(hasAddon(onLmdb, '@lmdb'), `lmdb's addon: ${onLmdb.join()}`);
});

test('an open whose directory sync failed is made durable by the next open', async (t) => {
  const parent = makeTempDir(t);
  const dir = path.join(parent, 'db');
  const syncDirectory = nodeFileSystem.syncDirectory;
  t.after(() => {
    nodeFileSystem.syncDirectory = syncDirectory;
  });
  const synced: string[] = [];
  let failNext = true;
  nodeFileSystem.syncDirectory = (directory: string) => {
    if (directory === parent && failNext) {
      failNext = false;
      throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
    }
    synced.push(directory);
    syncDirectory.call(nodeFileSystem, directory);
  };
  // The directory is made, but its entry in `parent` never became durable.
  await assert.rejects(StemeDB.open(dir), { code: 'FSYNC_FAILED' });
  assert.ok(fs.existsSync(dir));
  assert.ok(!synced.includes(parent));

  const db = await openDb(t, {}, dir);
  assert.ok(synced.includes(parent), `the reopen synced ${synced.join(', ')}`);
  await db.assert(claim('s', 'p', number(1)));
});
