export { atomicWrite, syncDirectory, temporaryPathFor } from './atomic-write.js';
export {
  DURABILITY_KINDS,
  DurabilityLevel,
  describeDurability,
  parseDurability,
} from './durability-level.js';
export type { DurabilityKind, DurabilityOption } from './durability-level.js';
export { DurableFile } from './durable-file.js';
export type { DurableFileOptions } from './durable-file.js';
export { FileLock, LOCK_FILE_NAME, lockDirectory } from './file-lock.js';
export { OPEN_MODES } from './file-system.js';
export type { FileHandle, FileSystem, OpenMode } from './file-system.js';
export { nodeFileSystem } from './node-file-system.js';
