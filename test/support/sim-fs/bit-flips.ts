/**
 * Corruption at rest for crash images: pick durable bits to flip from a seed, so a test can prove
 * that every flipped bit is detected and never served.
 */
import type { Random } from '../random.js';
import type { SimFileSystem } from './sim-file-system.js';

export interface BitFlip {
  readonly path: string;
  readonly byteOffset: number;
  /** 0 is the least significant bit. */
  readonly bit: number;
}

/**
 * `count` positions drawn uniformly over every byte of every file of `fs` (an image: all of its
 * data is durable), each with a random bit. Positions may repeat. Empty when `fs` holds no data.
 */
export function pickDurableBits(fs: SimFileSystem, random: Random, count: number): BitFlip[] {
  const files = fs.files().filter((file) => file.sizeBytes > 0);
  const totalBytes = files.reduce((sum, file) => sum + file.sizeBytes, 0);
  const flips: BitFlip[] = [];
  for (let i = 0; i < count && totalBytes > 0; i++) {
    let at = random.nextInt(totalBytes);
    for (const file of files) {
      if (at < file.sizeBytes) {
        flips.push({ path: file.path, byteOffset: at, bit: random.nextInt(8) });
        break;
      }
      at -= file.sizeBytes;
    }
  }
  return flips;
}

/** Flips `flip` in `fs` (see `SimFileSystem.flipBit`). */
export function applyBitFlip(fs: SimFileSystem, flip: BitFlip): void {
  fs.flipBit(flip.path, flip.byteOffset, flip.bit);
}

export function describeBitFlip(flip: BitFlip): string {
  return `bit ${flip.bit} of byte ${flip.byteOffset} flipped in ${flip.path}`;
}
