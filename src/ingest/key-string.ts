import { toLatin1 } from '../records/index.js';

/**
 * A store key as a JavaScript map key: its bytes as a latin1 string (one char per byte, so
 * distinct keys give distinct strings). The ingestor computes it once per record and passes it
 * along, since each conversion allocates a string.
 */
export function keyString(key: Uint8Array): string {
  return toLatin1(key);
}
