/**
 * Deliberately broken variants of the journal, for tests that must prove they can fail
 * (RELIABILITY.md invariant 12). Test-only and process-global; not part of the public API.
 *
 * Each bug lives at one guarded spot of the journal:
 * - `ack-before-sync`: under `immediate`, appends resolve before their fdatasync, which runs later;
 * - `skip-segment-directory-sync`: a new segment's directory entry is never fsynced;
 * - `retry-failed-sync`: a failed fdatasync is retried once, and a retry that succeeds is trusted;
 * - `truncate-on-checksum-error`: recovery cuts at the first damage anywhere, as if it were a torn
 *   tail, even without `repair`;
 * - `ignore-short-write`: a short write of records is taken as complete.
 *
 * With no bug enabled (the default) each spot costs one comparison of a module-level variable.
 */
import type { FileHandle } from '../durability/index.js';

export const DELIBERATE_BUGS = [
  'ack-before-sync',
  'skip-segment-directory-sync',
  'retry-failed-sync',
  'truncate-on-checksum-error',
  'ignore-short-write',
] as const;
export type DeliberateBug = (typeof DELIBERATE_BUGS)[number];

let enabledBug: DeliberateBug | undefined;

/** Enables one bug for the whole process, or none with `undefined`. Tests reset it in `finally`. */
export function enableDeliberateBug(bug: DeliberateBug | undefined): void {
  if (bug !== undefined && !DELIBERATE_BUGS.includes(bug)) {
    throw new RangeError(`unknown deliberate bug ${String(bug)}`);
  }
  enabledBug = bug;
}

/** True if `bug` is the enabled one; the journal asks at the spot where that bug lives. */
export function deliberateBug(bug: DeliberateBug): boolean {
  return enabledBug === bug;
}

/**
 * The segment handle the writer uses: `handle` itself unless `retry-failed-sync` or
 * `ignore-short-write` is enabled, in which case a wrapper that misbehaves that way.
 */
export function withDeliberateHandleBugs(handle: FileHandle): FileHandle {
  if (enabledBug !== 'retry-failed-sync' && enabledBug !== 'ignore-short-write') return handle;
  const bug = enabledBug;
  return {
    path: handle.path,
    size: () => handle.size(),
    read: (buffer, offset, length, position) => handle.read(buffer, offset, length, position),
    write: (buffer, offset, length, position) => {
      const written = handle.write(buffer, offset, length, position);
      return bug === 'ignore-short-write' ? length : written;
    },
    datasync: () => {
      if (bug !== 'retry-failed-sync') return handle.datasync();
      try {
        handle.datasync();
      } catch {
        handle.datasync();
      }
    },
    sync: () => handle.sync(),
    truncate: (length) => handle.truncate(length),
    close: () => handle.close(),
  };
}
