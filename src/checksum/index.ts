export { BLAKE3_BYTES, blake3 } from './blake3.js';
export { crc32c } from './crc32c.js';
