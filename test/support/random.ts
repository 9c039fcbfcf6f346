/**
 * A small seeded pseudo-random generator (mulberry32) for tests: the same seed always yields the
 * same sequence, so every randomised test can print its seed and be replayed exactly.
 *
 * Not for cryptography; its period (2^32) is ample for test inputs and sampling.
 */

/** Environment variable that replays a randomised test: `STEMEDB_SEED=1234 npm test`. */
export const SEED_ENV_NAME = 'STEMEDB_SEED';

const UINT32_RANGE = 2 ** 32;
const FLOAT_53_RANGE = 2 ** 53;

export interface Random {
  /** The seed this generator started from. */
  readonly seed: number;
  /** A uniform integer in [0, 2^32). */
  nextUint32(): number;
  /** A uniform integer in [0, maxExclusive); `maxExclusive` is a positive safe integer. */
  nextInt(maxExclusive: number): number;
  /** A uniform float in [0, 1) with 53 bits of precision. */
  nextFloat(): number;
  /** Overwrites every byte of `bytes` with random bytes. */
  fill(bytes: Uint8Array): void;
}

/** Creates a generator; `seed` is reduced to an unsigned 32-bit integer. */
export function createRandom(seed: number): Random {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  let state = seed >>> 0;
  const nextUint32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const nextFloat = (): number =>
    ((nextUint32() >>> 5) * 2 ** 26 + (nextUint32() >>> 6)) / FLOAT_53_RANGE;
  return {
    seed: seed >>> 0,
    nextUint32,
    nextFloat,
    nextInt(maxExclusive) {
      if (!Number.isSafeInteger(maxExclusive) || maxExclusive < 1) {
        throw new RangeError(`maxExclusive must be a positive safe integer, got ${maxExclusive}`);
      }
      if (maxExclusive > UINT32_RANGE) return Math.floor(nextFloat() * maxExclusive);
      // Rejection sampling keeps the result exactly uniform: values in the final partial range
      // would otherwise make small results slightly more likely.
      const limit = UINT32_RANGE - (UINT32_RANGE % maxExclusive);
      for (;;) {
        const value = nextUint32();
        if (value < limit) return value % maxExclusive;
      }
    },
    fill(bytes) {
      for (let i = 0; i < bytes.length; i += 4) {
        const word = nextUint32();
        for (let j = 0; j < 4 && i + j < bytes.length; j++) {
          bytes[i + j] = (word >>> (8 * j)) & 0xff;
        }
      }
    },
  };
}

/**
 * The seed a randomised test should use: `STEMEDB_SEED` when set (decimal or `0x` hex), otherwise
 * a fresh one. Tests print it on failure (see `replayHint`) so the run can be repeated.
 */
export function seedFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const text = env[SEED_ENV_NAME];
  if (text === undefined || text.trim() === '') {
    return (Date.now() ^ Math.floor(Math.random() * UINT32_RANGE)) >>> 0;
  }
  const seed = Number(text.trim());
  if (!Number.isSafeInteger(seed) || seed < 0 || seed >= UINT32_RANGE) {
    throw new RangeError(`${SEED_ENV_NAME} must be an integer in [0, 2^32), got ${text}`);
  }
  return seed;
}

/** A line for failure messages telling how to replay a run. */
export function replayHint(seed: number): string {
  return `replay with ${SEED_ENV_NAME}=${seed}`;
}

/**
 * Runs a randomised check with a generator seeded by `seed`; if it throws, the error's message
 * gains the replay hint, so the failure report says how to repeat it.
 */
export function withSeed<T>(seed: number, run: (random: Random) => T): T {
  try {
    return run(createRandom(seed));
  } catch (error) {
    if (error instanceof Error) error.message += `\n${replayHint(seed)}`;
    throw error;
  }
}
