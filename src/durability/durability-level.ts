/**
 * When written data is made durable. The semantics follow the reference module exactly:
 * - `immediate` (the default): sync whenever a write is pending, so nothing is acknowledged before it
 *   is on disk;
 * - `batched`: sync once `maxWrites` writes are pending or `maxDelayMs` has passed since the last sync,
 *   and a timer syncs a lone write when no further write comes;
 * - `eventual`: sync only on an explicit sync/flush or on close; a crash may lose a suffix.
 */
import { InvalidArgumentError } from '../errors.js';
import { BATCH_DEFAULT_MAX_DELAY_MS, BATCH_DEFAULT_MAX_WRITES } from '../limits.js';

export const DURABILITY_KINDS = ['immediate', 'batched', 'eventual'] as const;
export type DurabilityKind = (typeof DURABILITY_KINDS)[number];

export type DurabilityLevel =
  | { readonly kind: 'immediate' }
  | { readonly kind: 'batched'; readonly maxWrites: number; readonly maxDelayMs: number }
  | { readonly kind: 'eventual' };

/** What callers may pass: a level, or the name of one (a bare `'batched'` takes the defaults). */
export type DurabilityOption = DurabilityLevel | DurabilityKind;

export const DurabilityLevel = {
  immediate(): DurabilityLevel {
    return { kind: 'immediate' };
  },
  batched(options: { maxWrites?: number; maxDelayMs?: number } = {}): DurabilityLevel {
    const maxWrites = options.maxWrites ?? BATCH_DEFAULT_MAX_WRITES;
    const maxDelayMs = options.maxDelayMs ?? BATCH_DEFAULT_MAX_DELAY_MS;
    if (!Number.isSafeInteger(maxWrites) || maxWrites < 1) {
      throw new InvalidArgumentError(`must be a positive integer, got ${maxWrites}`, 'maxWrites');
    }
    if (!Number.isFinite(maxDelayMs) || maxDelayMs < 0) {
      throw new InvalidArgumentError(`must be a finite number ≥ 0, got ${maxDelayMs}`, 'maxDelayMs');
    }
    return { kind: 'batched', maxWrites, maxDelayMs };
  },
  eventual(): DurabilityLevel {
    return { kind: 'eventual' };
  },
  /** The default level: `immediate`. */
  default(): DurabilityLevel {
    return { kind: 'immediate' };
  },
};

/** Validates a caller's durability option and returns the level it names. */
export function parseDurability(option: unknown): DurabilityLevel {
  if (option === undefined) return DurabilityLevel.default();
  if (option === 'immediate') return DurabilityLevel.immediate();
  if (option === 'batched') return DurabilityLevel.batched();
  if (option === 'eventual') return DurabilityLevel.eventual();
  if (typeof option === 'object' && option !== null && 'kind' in option) {
    const level = option as { kind: unknown; maxWrites?: number; maxDelayMs?: number };
    if (level.kind === 'immediate') return DurabilityLevel.immediate();
    if (level.kind === 'eventual') return DurabilityLevel.eventual();
    if (level.kind === 'batched') {
      const options: { maxWrites?: number; maxDelayMs?: number } = {};
      if (level.maxWrites !== undefined) options.maxWrites = level.maxWrites;
      if (level.maxDelayMs !== undefined) options.maxDelayMs = level.maxDelayMs;
      return DurabilityLevel.batched(options);
    }
  }
  throw new InvalidArgumentError(
    `expected one of ${DURABILITY_KINDS.join(', ')} or a DurabilityLevel, got ${String(option)}`,
    'durability',
  );
}

export function describeDurability(level: DurabilityLevel): string {
  return level.kind === 'batched'
    ? `batched(maxWrites=${level.maxWrites}, maxDelayMs=${level.maxDelayMs})`
    : level.kind;
}
