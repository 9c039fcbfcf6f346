/** The simulated file system for crash tests: durable state, crash images, faults, the call log. */
export { applyBitFlip, type BitFlip, describeBitFlip, pickDurableBits } from './bit-flips.js';
export {
  CRASH_IMAGE_KINDS,
  type CrashImageKind,
  type CrashImageOptions,
  EXHAUSTIVE_OPERATIONS_MAX,
  SAMPLED_SUBSETS_DEFAULT,
  TORN_PREFIX_BYTES_DEFAULT,
  TORN_SAMPLED_OFFSETS_DEFAULT,
} from './crash-images.js';
export {
  FAULT_ERRORS,
  FAULT_MODES,
  FAULT_OPERATIONS,
  type Fault,
  type FaultError,
  type FaultMode,
  type FaultOperation,
  type FaultSpec,
} from './fault-plan.js';
export { type Errno, type FileSystemError, fileSystemError } from './file-system-error.js';
export {
  type EntryChange,
  formatOperation,
  type Operation,
  type OperationKind,
  OperationLog,
} from './operation-log.js';
export { PAGE_BYTES } from './paged-bytes.js';
export { SimFileHandle } from './sim-file-handle.js';
export { type CrashImage, type FileEntry, SimFileSystem } from './sim-file-system.js';
