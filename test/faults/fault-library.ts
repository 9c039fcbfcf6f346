/**
 * Builds the preloaded fault library (fault-inject.c) and runs child processes with it.
 *
 * The library is compiled with gcc once per test process into a temporary directory removed when
 * the process exits. `prepareFaultLibrary` answers with the library's path, or with the reason the
 * layer cannot run here (no gcc, or a system that ignores LD_PRELOAD); a library that loads but
 * injects nothing is a failure, not a reason to skip.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAULT_PLAN_ENV } from './fault-workload.js';

const SOURCE = fileURLToPath(new URL('./fault-inject.c', import.meta.url));
const CHILD_TIMEOUT_MS = 120_000;

export type FaultLibrary = { ok: true; path: string } | { ok: false; skip: string };

let prepared: FaultLibrary | undefined;

/** The built and probed library, or why the preload layer must be skipped on this machine. */
export function prepareFaultLibrary(): FaultLibrary {
  prepared ??= buildAndProbe();
  return prepared;
}

function buildAndProbe(): FaultLibrary {
  if (spawnSync('gcc', ['--version']).status !== 0) {
    return { ok: false, skip: 'gcc is not installed: the preloaded fault library cannot be built' };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stemedb-libfault-'));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const library = path.join(dir, 'libfault.so');
  const flags = ['-shared', '-fPIC', '-O2', '-Wall', '-o', library, SOURCE, '-ldl'];
  const build = spawnSync('gcc', flags);
  if (build.status !== 0) {
    throw new Error(`gcc failed to build ${SOURCE}:\n${build.stderr.toString()}`);
  }
  const target = path.join(dir, 'probe');
  fs.mkdirSync(target);
  // The probe fsyncs a file under the target: loaded and working, it must fail with EIO.
  const script = [
    "const fs = require('node:fs');",
    "const loaded = fs.readFileSync('/proc/self/maps', 'utf8').includes('libfault.so');",
    `const fd = fs.openSync(${JSON.stringify(path.join(target, 'file'))}, 'w');`,
    "let outcome = 'synced';",
    'try { fs.fsyncSync(fd); } catch (error) { outcome = error.code; }',
    "process.stderr.write(JSON.stringify({ loaded, outcome }));",
  ].join('\n');
  const probe = spawnSync(process.execPath, ['-e', script], {
    env: { ...preloadEnv(library), [FAULT_PLAN_ENV]: `sync:1:once:-:${target}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const answer = JSON.parse(probe.stderr.toString() || '{}') as {
    loaded?: boolean;
    outcome?: string;
  };
  if (answer.loaded !== true) {
    return { ok: false, skip: 'LD_PRELOAD is ignored here: no real fault can be injected' };
  }
  if (answer.outcome !== 'EIO') {
    const outcome = String(answer.outcome);
    throw new Error(`the fault library loaded but fsync ended with ${outcome}, not EIO`);
  }
  return { ok: true, path: library };
}

/** The environment of a child with the library preloaded; io_uring would bypass the libc calls. */
export function preloadEnv(library: string): NodeJS.ProcessEnv {
  return { ...process.env, LD_PRELOAD: library, UV_USE_IO_URING: '0' };
}

export interface ChildOutput {
  lines: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs `node --import tsx <script> ...args` with `env` and collects its stdout lines. */
export function runNodeChild(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<ChildOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: CHILD_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      resolve({ lines: stdout.split('\n').filter((line) => line !== ''), code, signal, stderr });
    });
  });
}
