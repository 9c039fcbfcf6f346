// Proves from a syscall trace that each store engine acknowledges a write only once it is durable:
// between two acknowledgements the file that makes a commit durable (LMDB's data.mdb, LevelDB's
// log) is written and fdatasynced, and nothing written to it after that sync reaches the
// acknowledgement except through an O_DSYNC descriptor.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { StoreEngine } from '../../src/store/index.js';
import { makeTempDir } from '../support/temp-dir.js';
import { TESTED_ENGINES } from './engines.js';

const writerScript = fileURLToPath(new URL('./audit-writer.ts', import.meta.url));
const WRITES = 20;
const hasStrace = spawnSync('strace', ['-V']).status === 0;

type TraceEvent =
  | { kind: 'open'; fd: number; dsync: boolean }
  | { kind: 'close'; fd: number }
  | { kind: 'write'; fd: number }
  | { kind: 'sync'; fd: number }
  | { kind: 'ack'; n: number };

const CALL = /^(\d+)\s+(\w+)\((\d+)?/;
const RESUMED = /^(\d+)\s+<\.\.\. (\w+) resumed>.*= (-?\d+)/;

/** The files whose sync makes a commit durable, by the path strace prints for their open. */
const DURABLE_FILE: Readonly<Record<StoreEngine, RegExp>> = {
  lmdb: /\/data\.mdb"/,
  leveldb: /\/\d+\.log"/,
};

/** The events of a `strace -f` log that concern the engine's durable file, plus the acks. */
function parseTrace(log: string, durableFile: RegExp): TraceEvent[] {
  const events: TraceEvent[] = [];
  const pendingFd = new Map<string, number>();
  for (const line of log.split('\n')) {
    const resumed = RESUMED.exec(line);
    if (resumed !== null) {
      const fd = pendingFd.get(resumed[1] ?? '');
      const isSync = /^f(data)?sync$/.test(resumed[2] ?? '');
      if (fd !== undefined && isSync) events.push({ kind: 'sync', fd });
      continue;
    }
    const call = CALL.exec(line);
    if (call === null) continue;
    const [, pid = '', name = '', fdText] = call;
    const fd = Number(fdText);
    if (name === 'openat' && durableFile.test(line)) {
      const result = /= (\d+)$/.exec(line);
      const dsync = line.includes('O_DSYNC');
      if (result !== null) events.push({ kind: 'open', fd: Number(result[1]), dsync });
    } else if (name === 'close') {
      events.push({ kind: 'close', fd });
    } else if (name === 'write' && fd === 1 && line.includes('"ACK ')) {
      events.push({ kind: 'ack', n: Number(/"ACK (\d+)/.exec(line)?.[1]) });
    } else if (/^(pwrite64|pwritev2?|writev|write)$/.test(name)) {
      events.push({ kind: 'write', fd });
    } else if (/^f(data)?sync$/.test(name)) {
      if (line.includes('<unfinished')) pendingFd.set(pid, fd);
      else events.push({ kind: 'sync', fd });
    }
  }
  return events;
}

const skip = !hasStrace && 'strace is not installed';

for (const engine of TESTED_ENGINES) {
  test(`${engine}: every acknowledged write was fdatasynced first`, { skip }, (t) =>
    audit(engine, t));
}

async function audit(engine: StoreEngine, t: TestContext): Promise<void> {
  const dir = makeTempDir(t);
  const traceFile = path.join(dir, 'trace.log');
  const calls = 'trace=openat,close,fdatasync,fsync,pwrite64,pwritev,pwritev2,write,writev';
  const writer = [process.execPath, '--import', 'tsx', writerScript, engine, path.join(dir, 'store')];
  const child = spawn('strace', ['-f', '-o', traceFile, '-e', calls, ...writer, String(WRITES)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  assert.equal(code, 0, stderr);

  const dataFds = new Map<number, boolean>();
  let syncedSinceAck = false;
  let unsyncedWrite = false;
  let acks = 0;
  const trace = fs.readFileSync(traceFile, 'utf8');
  let durableFileOpens = 0;
  for (const event of parseTrace(trace, DURABLE_FILE[engine])) {
    if (event.kind === 'open') {
      durableFileOpens++;
      dataFds.set(event.fd, event.dsync);
    }
    else if (event.kind === 'close') dataFds.delete(event.fd);
    else if (event.kind === 'write' && dataFds.has(event.fd)) {
      if (dataFds.get(event.fd) !== true) unsyncedWrite = true;
    } else if (event.kind === 'sync' && dataFds.has(event.fd)) {
      syncedSinceAck = true;
      unsyncedWrite = false;
    } else if (event.kind === 'ack') {
      acks++;
      assert.equal(event.n, acks);
      assert.ok(syncedSinceAck, `ACK ${event.n} came with no fdatasync of the ${engine} file since the last`);
      assert.ok(!unsyncedWrite, `ACK ${event.n} came after an unsynced write to the ${engine} file`);
      syncedSinceAck = false;
    }
  }
  assert.ok(durableFileOpens > 0, `the trace shows no open of the ${engine} file`);
  assert.equal(acks, WRITES);
}
