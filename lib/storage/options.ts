/** Options of SegmentedLog.open, with their defaults and validation. */
import { LogClusterError } from '../errors.js';
import {
  INLINE_SYNC_BYTES_MAX,
  INLINE_SYNC_SLOW_MS,
  OPEN_SEGMENTS_MAX,
  SEGMENT_BYTES_LIMIT,
  SEGMENT_BYTES_MAX,
  SPARSE_INDEX_INTERVAL_BYTES,
  TAIL_CACHE_BYTES_MAX,
  TAIL_CACHE_RECORDS_MAX,
  WRITE_BUFFER_BYTES,
} from './limits.js';

/** Tuning of one log. Every field has a default; tests lower them to make rolls and evictions happen. */
export interface SegmentedLogOptions {
  /** A segment rolls once the next record would take it past this size (a lone record may exceed it). */
  segmentBytesMax: number;
  /** Bytes of segment between two sparse index entries. */
  sparseIndexIntervalBytes: number;
  /** Records kept in the in-memory tail cache. */
  tailCacheRecordsMax: number;
  /** Payload bytes kept in the in-memory tail cache. */
  tailCacheBytesMax: number;
  /** Sealed segment files kept open for reads. */
  openSegmentsMax: number;
  /**
   * Internal tuning, not a user setting: the largest group a round fdatasyncs on the event loop
   * when no other round runs (0: always on the thread pool). See INLINE_SYNC_BYTES_MAX.
   */
  inlineSyncBytesMax: number;
  /** Internal: an inline flush slower than this turns inline flushes off for a while (INLINE_SYNC_SLOW_MS). */
  inlineSyncSlowMs: number;
}

/** The defaults: the bounds of limits.ts. */
export const DEFAULT_LOG_OPTIONS: Readonly<SegmentedLogOptions> = Object.freeze({
  segmentBytesMax: SEGMENT_BYTES_MAX,
  sparseIndexIntervalBytes: SPARSE_INDEX_INTERVAL_BYTES,
  tailCacheRecordsMax: TAIL_CACHE_RECORDS_MAX,
  tailCacheBytesMax: TAIL_CACHE_BYTES_MAX,
  openSegmentsMax: OPEN_SEGMENTS_MAX,
  inlineSyncBytesMax: INLINE_SYNC_BYTES_MAX,
  inlineSyncSlowMs: INLINE_SYNC_SLOW_MS,
});

const RANGES: Record<keyof SegmentedLogOptions, [number, number]> = {
  segmentBytesMax: [64, SEGMENT_BYTES_LIMIT],
  sparseIndexIntervalBytes: [1, 1024 * 1024 * 1024],
  tailCacheRecordsMax: [1, 1 << 24],
  tailCacheBytesMax: [0, 2 ** 40],
  openSegmentsMax: [1, 1 << 16],
  inlineSyncBytesMax: [0, WRITE_BUFFER_BYTES],
  inlineSyncSlowMs: [0, 3_600_000],
};

/** Fills in defaults; INVALID_OPTION naming the field for an unknown field or out-of-range value. */
export function resolveLogOptions(options: Partial<SegmentedLogOptions> = {}): SegmentedLogOptions {
  const out: SegmentedLogOptions = { ...DEFAULT_LOG_OPTIONS };
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const range = RANGES[key as keyof SegmentedLogOptions];
    if (range === undefined) {
      throw new LogClusterError('INVALID_OPTION', `unknown storage option ${key}`, { field: key });
    }
    if (typeof value !== 'number' || !Number.isInteger(value) || value < range[0] || value > range[1]) {
      throw new LogClusterError(
        'INVALID_OPTION',
        `storage option ${key} must be an integer in [${range[0]}, ${range[1]}]`,
        { field: key },
      );
    }
    out[key as keyof SegmentedLogOptions] = value;
  }
  return out;
}
