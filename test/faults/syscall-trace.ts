/**
 * Runs a child under `strace -f -y` and turns the log into ordered events: opens, writes, syncs,
 * closes and renames of files (with the path strace resolved for each descriptor), plus the lines
 * the child printed on its stdout (its acknowledgements), which the trace shows as writes to fd 1.
 *
 * A call another thread interrupts is logged as `<unfinished ...>` and later `<... resumed>`; the
 * two halves are joined and the event is placed where the call completed. The journal's I/O and
 * the child's acknowledgements all run on the main thread, so their relative order is exact.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';

export type TraceEvent =
  | { kind: 'open'; path: string; fd: number; created: boolean }
  | {
      kind: 'write';
      path: string;
      fd: number;
      position: number | undefined;
      bytes: number;
      result: number;
    }
  | { kind: 'sync'; path: string; fd: number; call: string; result: number }
  | { kind: 'close'; path: string; fd: number }
  | { kind: 'rename'; from: string; to: string; result: number }
  | { kind: 'say'; text: string };

const TRACED_CALLS = [
  'openat', 'write', 'pwrite64', 'pwritev', 'pwritev2', 'writev',
  'fdatasync', 'fsync', 'rename', 'renameat', 'renameat2', 'close',
];
const STRING_BYTES_SHOWN = 96;

/** Why the audit cannot run here (no strace, or ptrace forbidden), or undefined if it can. */
export function straceUnavailable(): string | undefined {
  const version = spawnSync('strace', ['-V']);
  if (version.error !== undefined || version.status !== 0) return 'strace is not installed';
  const probeArgs = ['-f', '-o', '/dev/null', '-e', 'trace=fsync', process.execPath, '-e', '0'];
  const probe = spawnSync('strace', probeArgs);
  if (probe.status !== 0) {
    return `strace cannot trace here (ptrace forbidden?): ${probe.stderr.toString().trim()}`;
  }
  return undefined;
}

/** Runs `node --import tsx <script> ...args` under strace; returns the parsed events. */
export async function traceNodeChild(
  script: string,
  args: string[],
  traceFile: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<TraceEvent[]> {
  const strace = [
    '-f', '-y', '-s', String(STRING_BYTES_SHOWN), '-o', traceFile,
    '-e', `trace=${TRACED_CALLS.join(',')}`,
  ];
  const child = spawn('strace', [...strace, process.execPath, '--import', 'tsx', script, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stdout.resume();
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (exitCode) => resolve(exitCode));
  });
  if (code !== 0) throw new Error(`the traced child exited with ${code}:\n${stderr}`);
  return parseTrace(fs.readFileSync(traceFile, 'utf8'));
}

/** The events of an `strace -f -y` log, in the order their calls completed. */
export function parseTrace(log: string): TraceEvent[] {
  const unfinished = new Map<string, string>();
  const events: TraceEvent[] = [];
  for (const raw of log.split('\n')) {
    const head = /^(\d+)\s+(.*)$/.exec(raw);
    if (head === null) continue;
    const [, pid = '', body = ''] = head;
    let line = body;
    if (line.endsWith('<unfinished ...>')) {
      unfinished.set(pid, line.slice(0, -'<unfinished ...>'.length).trimEnd());
      continue;
    }
    const resumed = /^<\.\.\. \w+ resumed>(.*)$/.exec(line);
    if (resumed !== null) line = `${unfinished.get(pid) ?? ''}${resumed[1] ?? ''}`;
    const event = parseCall(line);
    if (event !== undefined) events.push(event);
  }
  return events;
}

const CALL = /^(\w+)\((.*)\) += (-?\d+)(?:<(.*?)>)?/;
const FD_ARGUMENT = /^(\d+)<(.*?)>/;

function parseCall(line: string): TraceEvent | undefined {
  const call = CALL.exec(line);
  if (call === null) return undefined;
  const [, name = '', args = '', resultText = '', resultPath] = call;
  const result = Number(resultText);
  if (name === 'openat') {
    const file = quoted(args)[0];
    if (result < 0 || file === undefined) return undefined;
    const created = args.includes('O_CREAT');
    return { kind: 'open', path: resultPath ?? file, fd: result, created };
  }
  if (name.startsWith('rename')) {
    const [from = '', to = ''] = quoted(args);
    return { kind: 'rename', from, to, result };
  }
  const fdArgument = FD_ARGUMENT.exec(args);
  if (fdArgument === null) return undefined;
  const fd = Number(fdArgument[1]);
  const file = fdArgument[2] ?? '';
  if (name === 'close') return { kind: 'close', path: file, fd };
  if (name === 'fsync' || name === 'fdatasync') {
    return { kind: 'sync', path: file, fd, call: name, result };
  }
  if (fd === 1 && name === 'write') {
    const text = quoted(args)[0];
    return text === undefined ? undefined : { kind: 'say', text: text.replace(/\\n$/, '') };
  }
  // write(fd, buf, count), pwrite64(fd, buf, count, position), pwritev(fd, iov, iovcnt, position):
  // a vectored call's size is only known from its result.
  const tail = /, (\d+)(?:, (\d+))?$/.exec(args);
  const positioned = name.startsWith('pwrite');
  const bytes = name.includes('writev') ? Math.max(result, 0) : Number(tail?.[1] ?? result);
  const position = positioned && tail?.[2] !== undefined ? Number(tail[2]) : undefined;
  return { kind: 'write', path: file, fd, position, bytes, result };
}

/** The double-quoted string arguments of a call, still escaped as strace printed them. */
function quoted(args: string): string[] {
  const strings: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"/g;
  for (let match = pattern.exec(args); match !== null; match = pattern.exec(args)) {
    strings.push(match[1] ?? '');
  }
  return strings;
}
