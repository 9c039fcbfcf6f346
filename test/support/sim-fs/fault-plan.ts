/**
 * Injected failures for the simulated file system: "fail the nth write (of files matching a filter)
 * with EIO, once or from then on". Faults count calls independently, so several can be armed at
 * once; when two fire on the same call the one armed first decides the outcome.
 */

export const FAULT_OPERATIONS = [
  'open', 'write', 'datasync', 'sync', 'truncate', 'rename', 'unlink', 'syncDirectory',
] as const;
export type FaultOperation = (typeof FAULT_OPERATIONS)[number];

/**
 * - `EIO`, `ENOSPC`: the call throws that errno.
 * - `short-write` (writes only): the call writes the first half of the bytes and returns that
 *   count; with `mode: 'forever'` every later matching write throws `ENOSPC`, as on a full disk.
 */
export const FAULT_ERRORS = ['EIO', 'ENOSPC', 'short-write'] as const;
export type FaultError = (typeof FAULT_ERRORS)[number];

/** `once`: only the nth matching call fails. `forever`: the nth and every later matching call. */
export const FAULT_MODES = ['once', 'forever'] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

export interface FaultSpec {
  readonly op: FaultOperation;
  /** 1 for the first matching call. */
  readonly nth: number;
  readonly error: FaultError;
  readonly mode: FaultMode;
  /** Only calls naming a path for which this returns true count (a rename names two). */
  readonly pathFilter?: (path: string) => boolean;
}

/** What the file system must do with one call: fail it with an errno, or write only a prefix. */
export type FaultOutcome = 'EIO' | 'ENOSPC' | 'short-write';

/** One armed fault; `firedCount` tells a test whether its call site was ever reached. */
export class Fault {
  readonly spec: FaultSpec;
  #matchingCalls = 0;
  #firedCount = 0;

  constructor(spec: FaultSpec) {
    if (!Number.isSafeInteger(spec.nth) || spec.nth < 1) {
      throw new RangeError(`nth must be a positive integer, got ${spec.nth}`);
    }
    if (spec.error === 'short-write' && spec.op !== 'write') {
      throw new RangeError(`short-write applies to writes only, not ${spec.op}`);
    }
    this.spec = spec;
  }

  get firedCount(): number {
    return this.#firedCount;
  }

  /** Counts one call of `op` naming `paths`; returns the outcome if this fault fires on it. */
  consider(op: FaultOperation, paths: readonly string[]): FaultOutcome | undefined {
    const { spec } = this;
    if (op !== spec.op) return undefined;
    if (spec.pathFilter !== undefined && !paths.some(spec.pathFilter)) return undefined;
    this.#matchingCalls += 1;
    const calls = this.#matchingCalls;
    const fires = calls === spec.nth || (spec.mode === 'forever' && calls > spec.nth);
    if (!fires) return undefined;
    this.#firedCount += 1;
    if (spec.error === 'short-write' && this.#firedCount > 1) return 'ENOSPC';
    return spec.error;
  }

  describe(): string {
    const filter = this.spec.pathFilter === undefined ? '' : ' (filtered)';
    return `${this.spec.error} at ${this.spec.op} #${this.spec.nth}${filter}, ${this.spec.mode}`;
  }
}

export class FaultPlan {
  readonly #faults: Fault[] = [];

  arm(spec: FaultSpec): Fault {
    const fault = new Fault(spec);
    this.#faults.push(fault);
    return fault;
  }

  clear(): void {
    this.#faults.length = 0;
  }

  /** Offers the call to every armed fault (so each counts it) and returns the first outcome. */
  consider(op: FaultOperation, paths: readonly string[]): FaultOutcome | undefined {
    let outcome: FaultOutcome | undefined;
    for (const fault of this.#faults) {
      const result = fault.consider(op, paths);
      outcome ??= result;
    }
    return outcome;
  }
}
