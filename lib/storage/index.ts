/**
 * The storage engine: a segmented, checksummed, group-committed log, an atomically replaced
 * hard-state file, and the FileSystem interface all disk access goes through (docs/storage.md).
 */
export { AtomicFile } from './atomic-file.js';
export { crc32c } from './crc32c.js';
export type { FileHandle, FileSystem, OpenMode } from './file-system.js';
export { HARD_STATE_FILE_NAME, HardStateFile, type StoredHardState } from './hard-state-file.js';
export {
  BATCH_BYTES_MAX,
  BATCH_RECORDS_MAX,
  RECORD_BYTES_MAX,
  RECORD_HEADER_BYTES,
  SEGMENT_BYTES_MAX,
  SPARSE_INDEX_INTERVAL_BYTES,
  TAIL_CACHE_BYTES_MAX,
  TAIL_CACHE_RECORDS_MAX,
} from './limits.js';
export type { LogRecord } from './log-record.js';
export { NodeFileSystem } from './node-file-system.js';
export { DEFAULT_LOG_OPTIONS, type SegmentedLogOptions } from './options.js';
export type { RecoveryReport } from './recovery.js';
export { highestIntactIndex, type LogRepair, truncateLogAt } from './repair.js';
export { parseSegmentName, segmentName } from './segment.js';
export { SegmentedLog } from './segmented-log.js';
