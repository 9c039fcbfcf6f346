// Proves the `stemedb` binary's commands work end to end in child processes: their output (plain
// and --json), their exit codes, and that refused input, a missing or locked directory, leave the
// store exactly as it was.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { StemeDB } from '../../src/db/index.js';
import { fromHex } from '../../src/records/index.js';
import { LevelStore, hashKey } from '../../src/store/index.js';
import { flipByte } from '../support/journal-files.js';
import { makeTempDir } from '../support/temp-dir.js';
import { EXAMPLES_PATH, linesOf, runCli } from './run-cli.js';
import type { CliResult } from './run-cli.js';

const EXAMPLE_LINES = linesOf(fs.readFileSync(EXAMPLES_PATH, 'utf8'));
const EXAMPLE_COUNTS = { assertions: 21, votes: 3, epochs: 2 };

interface Stats {
  assertions: number;
  votes: number;
  epochs: number;
}

async function statsOf(dir: string): Promise<Stats> {
  const result = await runCli(['stats', '--dir', dir, '--json']);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as Stats;
}

function countsOf(stats: Stats): Stats {
  return { assertions: stats.assertions, votes: stats.votes, epochs: stats.epochs };
}

function assertRefused(result: CliResult, code: number, pattern: RegExp): void {
  assert.equal(result.code, code, `exit code; stderr: ${result.stderr}`);
  assert.match(result.stderr, pattern);
  assert.equal(linesOf(result.stderr).length, 1, `one line on stderr: ${result.stderr}`);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
}

async function exampleStore(t: TestContext): Promise<{ dir: string; hashes: string[] }> {
  const dir = path.join(makeTempDir(t), 'db');
  const result = await runCli(['put', EXAMPLES_PATH, '--dir', dir]);
  assert.equal(result.code, 0, result.stderr);
  return { dir, hashes: linesOf(result.stdout) };
}

// Each test has its own directories, so they run a few at a time.
describe('the stemedb command line', { concurrency: 3 }, () => {
  test('init creates an empty database and --json reports it', async (t) => {
    const dir = path.join(makeTempDir(t), 'fresh');
    const result = await runCli(['init', dir, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const output = JSON.parse(result.stdout) as { directory: string; stats: Stats };
    assert.equal(output.directory, dir);
    assert.deepEqual(countsOf(output.stats), { assertions: 0, votes: 0, epochs: 0 });
    assert.ok(fs.statSync(dir).isDirectory());
    const plain = await runCli(['init', '--dir', dir]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /initialized StemeDB in /);
  });

  test('put prints one hash per record, and putting the same file again gives the same hashes', async (t) => {
    const { dir, hashes } = await exampleStore(t);
    assert.equal(hashes.length, EXAMPLE_LINES.length);
    for (const hash of hashes) assert.match(hash, /^[0-9a-f]{64}$/);
    assert.deepEqual(countsOf(await statsOf(dir)), EXAMPLE_COUNTS);
    const again = await runCli(['put', EXAMPLES_PATH, '--dir', dir]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(linesOf(again.stdout), hashes);
    assert.deepEqual(countsOf(await statsOf(dir)), EXAMPLE_COUNTS);
  });

  test('put reads a pretty-printed JSON array from stdin and --quiet --json prints one summary', async (t) => {
    const dir = path.join(makeTempDir(t), 'db');
    const records = EXAMPLE_LINES.slice(0, 5).map((line) => JSON.parse(line) as unknown);
    const input = JSON.stringify(records, null, 2);
    const result = await runCli(['put', '--dir', dir, '--quiet', '--json'], { input });
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout) as Record<string, number>;
    assert.equal(summary['written'], 5);
    assert.equal(summary['epoch'], 2);
    assert.equal(summary['assertion'], 3);
    const plain = await runCli(['put', '-', '--dir', dir, '--quiet'], { input: EXAMPLE_LINES[2] });
    assert.match(plain.stdout, /^wrote 1 records \(1 assertions, 0 votes, 0 epochs\)/);
  });

  test('put --json prints each write result as a JSON line', async (t) => {
    const dir = path.join(makeTempDir(t), 'db');
    const result = await runCli(['put', EXAMPLES_PATH, '--dir', dir, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const results = linesOf(result.stdout).map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(results.length, EXAMPLE_LINES.length);
    assert.deepEqual(results.slice(0, 3).map((r) => r['type']), ['epoch', 'epoch', 'assertion']);
    for (const r of results) assert.equal(typeof r['offset'], 'number');
  });

  test('get prints the stored record, and refuses an unknown or malformed hash with exit 1', async (t) => {
    const { dir, hashes } = await exampleStore(t);
    const hash = hashes[2] as string;
    const result = await runCli(['get', hash, '--dir', dir, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const record = JSON.parse(result.stdout) as Record<string, unknown>;
    const input = JSON.parse(EXAMPLE_LINES[2] as string) as Record<string, unknown>;
    assert.equal(record['hash'], hash);
    assert.equal(record['subject'], input['subject']);
    assert.deepEqual(record['object'], input['object']);
    const plain = await runCli(['get', hash, '--dir', dir]);
    assert.deepEqual(JSON.parse(plain.stdout), record);
    assertRefused(await runCli(['get', '0'.repeat(64), '--dir', dir]), 1, /no record with hash 0{64}/);
    assertRefused(await runCli(['get', 'xyz', '--dir', dir]), 1, /hash: must be 64 hex digits/);
  });

  test('scan lists the disagreeing claims about a subject, filtered and limited', async (t) => {
    const { dir } = await exampleStore(t);
    const args = ['scan', '--dir', dir, '--subject', 'denver', '--predicate', 'water-boils-at-celsius'];
    const result = await runCli([...args, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const claims = linesOf(result.stdout).map((line) => JSON.parse(line) as { object: { value: number } });
    assert.deepEqual(claims.map((claim) => claim.object.value).sort(), [100, 93.4, 94.9, 95].sort());
    const all = await runCli(['scan', '--dir', dir, '-s', 'denver', '--json']);
    assert.equal(linesOf(all.stdout).length, 5);
    const limited = await runCli([...args, '--limit', '2']);
    assert.equal(linesOf(limited.stdout).length, 2);
    assert.match(limited.stdout, /water-boils-at-celsius = \d/);
    assertRefused(await runCli([...args, '--limit', '0']), 1, /limit: must be a whole number/);
  });

  test('verify passes on a healthy store, and stats and recover report on it', async (t) => {
    const { dir } = await exampleStore(t);
    const verify = await runCli(['verify', '--dir', dir, '--json']);
    assert.equal(verify.code, 0, verify.stderr);
    const report = JSON.parse(verify.stdout) as { ok: boolean; checked: number };
    assert.equal(report.ok, true);
    assert.ok(report.checked >= 26);
    assert.match((await runCli(['verify', '--dir', dir])).stdout, /: ok$/m);
    const stats = await runCli(['stats', '--dir', dir]);
    assert.match(stats.stdout, /^assertions: 21$/m);
    const recover = await runCli(['recover', '--dir', dir, '--json']);
    assert.equal(recover.code, 0, recover.stderr);
    const recovery = JSON.parse(recover.stdout) as { quarantined: unknown[]; cleanShutdown: boolean };
    assert.deepEqual(recovery.quarantined, []);
    assert.equal(recovery.cleanShutdown, true);
    const repaired = await runCli(['recover', '--repair', '--dir', dir]);
    assert.equal(repaired.code, 0, repaired.stderr);
    assert.match(repaired.stdout, /recovered cleanly/);
  });

  test('recover finds a corrupted journal and exits 2 until recover --repair quarantines the damage', async (t) => {
    const { dir } = await exampleStore(t);
    const [segment] = fs.readdirSync(path.join(dir, 'journal')).filter((name) => name.endsWith('.wal'));
    assert.ok(segment !== undefined);
    // A payload byte of the first record: the log was sealed by a clean close, so this is corruption.
    flipByte(path.join(dir, 'journal', segment), 32 + 56 + 16);
    // Other commands validate only what follows the journal's checkpoint, so they do not look.
    assert.equal((await runCli(['stats', '--dir', dir])).code, 0);
    assertRefused(await runCli(['recover', '--dir', dir]), 2, /CORRUPTION|corrupt/i);
    const repaired = await runCli(['recover', '--repair', '--dir', dir, '--json']);
    assert.equal(repaired.code, 0, repaired.stderr);
    const report = JSON.parse(repaired.stdout) as { quarantined: { kind: string }[] };
    assert.equal(report.quarantined[0]?.kind, 'corruption');
    assert.equal((await runCli(['verify', '--dir', dir])).code, 0);
  });

  test('verify exits 2 and names the key when a stored record does not match its address', async (t) => {
    const { dir, hashes } = await exampleStore(t);
    const [first, second] = hashes;
    assert.ok(first !== undefined && second !== undefined);
    const store = await LevelStore.open(path.join(dir, 'store'));
    try {
      const other = store.getSync(hashKey(fromHex(second, 32) ?? new Uint8Array())) ?? new Uint8Array();
      await store.write([{ type: 'put', key: hashKey(fromHex(first, 32) ?? new Uint8Array()), value: other }]);
    } finally {
      await store.close();
    }
    const verify = await runCli(['verify', '--dir', dir, '--json']);
    assert.equal(verify.code, 2, verify.stderr);
    const report = JSON.parse(verify.stdout) as { ok: boolean; mismatches: { key: string }[] };
    assert.equal(report.ok, false);
    assert.ok(report.mismatches.some((m) => m.key.endsWith(first)), verify.stdout);
  });

  test('keygen writes a private key file that put --sign-with signs assertions with', async (t) => {
    const scratch = makeTempDir(t);
    const keyFile = path.join(scratch, 'agent.key');
    const keygen = await runCli(['keygen', '--out', keyFile, '--json']);
    assert.equal(keygen.code, 0, keygen.stderr);
    const { agentId } = JSON.parse(keygen.stdout) as { agentId: string };
    assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600);
    assertRefused(await runCli(['keygen', '--out', keyFile]), 1, /already exists/);

    const dir = path.join(scratch, 'db');
    const put = await runCli(['put', '--dir', dir, '--sign-with', keyFile], { input: EXAMPLE_LINES[2] });
    assert.equal(put.code, 0, put.stderr);
    const get = await runCli(['get', linesOf(put.stdout)[0] as string, '--dir', dir, '--json']);
    const record = JSON.parse(get.stdout) as { signatures: Array<{ agentId: string }> };
    assert.deepEqual(record.signatures.map((s) => s.agentId), [agentId]);
    const printed = await runCli(['keygen']);
    assert.match(printed.stdout, /"seed":"[0-9a-f]{64}"/);
  });

  test('--store picks the engine; the other engine rebuilds the store from the journal', async (t) => {
    const dir = path.join(makeTempDir(t), 'db');
    const put = await runCli(['put', EXAMPLES_PATH, '--dir', dir]);
    assert.equal(put.code, 0, put.stderr);
    const onLevel = (await statsOf(dir)) as Stats & { store: string };
    assert.equal(onLevel.store, 'leveldb');
    assert.deepEqual(countsOf(onLevel), EXAMPLE_COUNTS);
    const stats = await runCli(['stats', '--dir', dir, '--store', 'lmdb', '--json']);
    const switched = JSON.parse(stats.stdout) as Stats & { store: string; rebuiltAtOpen?: string };
    assert.deepEqual([switched.store, switched.rebuiltAtOpen], ['lmdb', 'engine-changed']);
    assert.deepEqual(countsOf(switched), EXAMPLE_COUNTS);
    const kept = (await statsOf(dir)) as Stats & { store: string; rebuiltAtOpen?: string };
    assert.deepEqual([kept.store, kept.rebuiltAtOpen], ['lmdb', undefined]);
    const unknown = await runCli(['stats', '--dir', dir, '--store', 'rocks']);
    assert.equal(unknown.code, 1, unknown.stderr);
    assert.match(unknown.stderr, /'rocks' is invalid\. Allowed choices are leveldb, lmdb/);
  });

  test('bench measures writes and reads on a temporary database', async () => {
    const result = await runCli(['bench', '--records', '300', '--durability', 'batched', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as Record<string, number>;
    assert.equal(report['records'], 300);
    assert.ok(report['writesPerSecond'] !== undefined && report['writesPerSecond'] > 0);
    assert.ok(report['readsPerSecond'] !== undefined && report['readsPerSecond'] > 0);
  });

  test('bad input is refused with exit 1 and a one-line message naming it, and writes nothing', async (t) => {
    const { dir } = await exampleStore(t);
    const before = await statsOf(dir);
    const good = EXAMPLE_LINES[2] as string;
    const assertion = (fields: string): string =>
      `{"subject":"s","predicate":"p","object":{"type":"text","value":"v"},${fields}}`;
    const cases: Array<[string, string, RegExp]> = [
      ['unknown field', assertion('"colour":"red"'), /bad\.jsonl:3: colour: unknown field/],
      ['wrong type', '{"subject":5,"predicate":"p","object":{"type":"text","value":"v"}}', /:3: subject: must be a string/],
      ['NaN confidence', assertion('"confidence":NaN'), /:3: not valid JSON: NaN is not a JSON number/],
      ['confidence out of range', assertion('"confidence":1.5'), /:3: confidence: must be <= 1/],
      ['NUL in subject', '{"subject":"a\\u0000b","predicate":"p","object":{"type":"text","value":"v"}}', /:3: subject: must not contain NUL/],
      ['oversize', assertion(`"timestamp":1`).replace('"v"', `"${'x'.repeat(1_100_000)}"`), /:3: record is \d+ bytes, over the limit/],
      ['broken JSON', '{"subject": "s",', /:3: not valid JSON/],
      ['bad hash', assertion('"sourceHash":"abc"'), /:3: sourceHash: must be 64 hex digits/],
      ['unknown type', '{"type":"opinion"}', /:3: type: must be "assertion", "vote" or "epoch"/],
    ];
    const scratch = makeTempDir(t);
    await Promise.all(
      cases.map(async ([name, line, pattern], index) => {
        const file = path.join(scratch, String(index), 'bad.jsonl');
        fs.mkdirSync(path.dirname(file));
        fs.writeFileSync(file, `${good}\n${EXAMPLE_LINES[3]}\n${line}\n${good}\n`);
        const result = await runCli(['put', file, '--dir', dir]);
        assertRefused(result, 1, pattern);
        assert.equal(result.stdout, '', `${name}: nothing acknowledged`);
      }),
    );
    assert.deepEqual(await statsOf(dir), before);
  });

  test('commands other than init, put and serve refuse a missing directory with exit 1', async (t) => {
    const dir = path.join(makeTempDir(t), 'missing');
    const commands = [['stats'], ['get', '0'.repeat(64)], ['scan', '-s', 'x'], ['verify'], ['recover']];
    const results = await Promise.all(commands.map((args) => runCli([...args, '--dir', dir])));
    for (const result of results) assertRefused(result, 1, /no database directory at .*missing/);
    assert.equal(fs.existsSync(dir), false);
  });

  test('a directory locked by another open database is refused with exit 1', async (t) => {
    const { dir } = await exampleStore(t);
    const db = await StemeDB.open(dir);
    try {
      assertRefused(await runCli(['stats', '--dir', dir]), 1, /locked/);
      const put = await runCli(['put', '--dir', dir], { input: EXAMPLE_LINES[2] });
      assertRefused(put, 1, /locked/);
      assert.deepEqual(countsOf(await db.stats()), EXAMPLE_COUNTS);
    } finally {
      await db.close();
    }
  });

  test('an unknown option or missing argument exits 1 with usage help', async () => {
    const [unknown, missing, level] = await Promise.all([
      runCli(['stats', '--frobnicate']),
      runCli(['get']),
      runCli(['stats', '--durability', 'sometimes']),
    ]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /unknown option '--frobnicate'/);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /missing required argument 'hash'/);
    assert.equal(level.code, 1);
    assert.match(level.stderr, /Allowed choices are immediate, batched, eventual/);
  });
});
