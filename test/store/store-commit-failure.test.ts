// Proves that a commit the OS refuses (a write past a file-size limit) rejects with IO_ERROR
// carrying the store path and the errno, poisons the store so every later call fails with that
// first error, does not crash the process, and loses no acknowledged write.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { StoreEngine } from '../../src/store/index.js';
import { closeAtEnd, makeTempDir } from '../support/temp-dir.js';
import { TESTED_ENGINES, openEngineStore } from './engines.js';

const writerScript = fileURLToPath(new URL('./failing-writer.ts', import.meta.url));
/** The child's file-size limit, in the 1024-byte blocks of bash's `ulimit -f`. */
const FILE_SIZE_LIMIT_BLOCKS = 4096;

interface ChildOutcome {
  stdout: string;
  stderr: string;
  code: number | null;
}

async function runLimited(engine: StoreEngine, directory: string): Promise<ChildOutcome> {
  // SIGXFSZ is ignored (and stays ignored across exec) so the write fails with EFBIG instead.
  const limit = `trap '' XFSZ; ulimit -f ${FILE_SIZE_LIMIT_BLOCKS}`;
  const script = `${limit}; exec "$0" --import tsx "$1" "$2" "$3"`;
  const child = spawn('bash', ['-c', script, process.execPath, writerScript, engine, directory], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  return { stdout, stderr, code };
}

for (const engine of TESTED_ENGINES) {
  test(`${engine}: a refused commit fails IO_ERROR, poisons the store, loses nothing acked`, (t) =>
    refusedCommit(engine, t));
}

async function refusedCommit(engine: StoreEngine, t: TestContext): Promise<void> {
  const directory = path.join(makeTempDir(t), 'store');
  const { stdout, stderr, code } = await runLimited(engine, directory);
  assert.equal(code, 0, `writer did not exit cleanly: ${stderr}`);
  const lines = stdout.trim().split('\n');
  const report = JSON.parse(lines.pop() ?? '{}') as {
    failure: { code: unknown; path: unknown; errno: unknown; message: string };
    laterAreTheFirstError: boolean[];
  };
  const acknowledged = lines.filter((line) => line.startsWith('committed ')).length;
  assert.ok(acknowledged > 10, `only ${acknowledged} writes before the limit`);
  assert.equal(report.failure.code, 'IO_ERROR', report.failure.message);
  assert.ok(typeof report.failure.path === 'string' && report.failure.path.endsWith('store'));
  assert.match(String(report.failure.errno), /^E[A-Z0-9]+$/, report.failure.message);
  assert.deepEqual(report.laterAreTheFirstError, [true, true, true, true]);

  const store = await openEngineStore(engine, directory);
  closeAtEnd(t, () => store.close());
  let present = 0;
  for await (const [key, value] of store.iterate()) {
    present++;
    assert.equal(Buffer.from(key).toString(), `k/${String(present).padStart(6, '0')}`);
    assert.equal(value.length, 64 * 1024);
    assert.equal(value[0], present & 0xff);
  }
  const counts = `${present} present, ${acknowledged} acknowledged`;
  assert.ok(present >= acknowledged && present <= acknowledged + 1, counts);
  const after = new TextEncoder().encode('after');
  await store.write([{ type: 'put', key: after, value: new Uint8Array(1) }]);
}
