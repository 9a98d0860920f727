/**
 * One segment file in memory: its place in the log, its size, its open handle and its sparse
 * offset index (one [index, offset] entry for the first record starting in each interval of
 * SPARSE_INDEX_INTERVAL_BYTES), which turns a read by index into one seek and a short scan.
 */
import path from 'node:path';
import type { FileHandle } from './file-system.js';

/** Segment files are named by their first index, zero-padded so `ls` sorts them. */
export const SEGMENT_NAME_DIGITS = 20;
/** Suffix of segment files. */
export const SEGMENT_SUFFIX = '.log';
/** Suffix of a sealed segment's sparse index file (`<segment>.index`). */
export const INDEX_SUFFIX = '.index';

const SEGMENT_NAME = /^(\d{20})\.log$/;

/** The file name of the segment whose first record is `firstIndex`. */
export function segmentName(firstIndex: number): string {
  return String(firstIndex).padStart(SEGMENT_NAME_DIGITS, '0') + SEGMENT_SUFFIX;
}

/** The first index a segment file name stands for, or undefined for any other name. */
export function parseSegmentName(name: string): number | undefined {
  const m = SEGMENT_NAME.exec(name);
  if (m === null) return undefined;
  const index = Number(m[1]);
  return Number.isSafeInteger(index) && index >= 1 ? index : undefined;
}

/** The in-memory state of one segment file. */
export class Segment {
  readonly name: string;
  readonly path: string;
  readonly indexPath: string;
  /** Index of the last record (firstIndex - 1 when empty). */
  lastIndex: number;
  /** Bytes of valid records: the file's logical length and the next write position. */
  bytes = 0;
  /**
   * The file's length: `bytes`, then written zeros (a renamed spare, or SegmentStore's zero-ahead)
   * that later appends overwrite in place.
   */
  fileBytes = 0;
  /** Open handle, or -1 when closed. */
  fd: FileHandle = -1;
  /** Written since its last datasync (a sync round must cover it before acking). */
  dirty = false;
  /** Datasyncs of this file running now: its handle must not be closed while any runs. */
  syncing = 0;
  /** Final: no more appends (its index file was written). */
  sealed = false;
  /** Removed from the log while syncing: close the handle once the round ends. */
  retired = false;
  /** Last read or write, for closing the least recently used handles. */
  lastUse = 0;
  /** Offset and CRC of the last record (stored in the index file to validate it cheaply). */
  lastRecordOffset = -1;
  lastRecordCrc = 0;
  private sparseIndex: number[] = [];
  private sparseOffset: number[] = [];
  private nextSparseAt = 0;

  constructor(
    dir: string,
    readonly firstIndex: number,
    private readonly intervalBytes: number,
  ) {
    this.name = segmentName(firstIndex);
    this.path = path.join(dir, this.name);
    this.indexPath = this.path.slice(0, -SEGMENT_SUFFIX.length) + INDEX_SUFFIX;
    this.lastIndex = firstIndex - 1;
  }

  /** Number of records. */
  get records(): number {
    return this.lastIndex - this.firstIndex + 1;
  }

  /** Accounts for the record `index` framed at `offset` (the current end), `frameBytes` long. */
  noteRecord(index: number, offset: number, frameBytes: number, crc: number): void {
    if (offset >= this.nextSparseAt) {
      this.sparseIndex.push(index);
      this.sparseOffset.push(offset);
      this.nextSparseAt = (Math.floor(offset / this.intervalBytes) + 1) * this.intervalBytes;
    }
    this.lastIndex = index;
    this.bytes = offset + frameBytes;
    this.lastRecordOffset = offset;
    this.lastRecordCrc = crc;
  }

  /** The sparse entry at or before `index` (which must be in the segment): where a scan starts. */
  seek(index: number): { index: number; offset: number } {
    const idx = this.sparseIndex;
    let lo = 0;
    let hi = idx.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (idx[mid] <= index) lo = mid;
      else hi = mid - 1;
    }
    return { index: idx[lo], offset: this.sparseOffset[lo] };
  }

  /** Cuts the segment after record `index` at byte `offset`; `last` is the new last record's place. */
  cut(index: number, offset: number, last: { offset: number; crc: number }): void {
    let n = this.sparseIndex.length;
    while (n > 0 && this.sparseIndex[n - 1] > index) n--;
    this.sparseIndex.length = n;
    this.sparseOffset.length = n;
    this.nextSparseAt =
      n === 0 ? 0 : (Math.floor(this.sparseOffset[n - 1] / this.intervalBytes) + 1) * this.intervalBytes;
    this.lastIndex = index;
    this.bytes = offset;
    this.lastRecordOffset = last.offset;
    this.lastRecordCrc = last.crc;
  }

  /** The sparse entries as parallel arrays (for the index file). */
  sparseEntries(): { index: readonly number[]; offset: readonly number[] } {
    return { index: this.sparseIndex, offset: this.sparseOffset };
  }

  /** Replaces the sparse entries with ones loaded from a valid index file. */
  loadSparse(index: number[], offset: number[]): void {
    this.sparseIndex = index;
    this.sparseOffset = offset;
    const n = offset.length;
    this.nextSparseAt =
      n === 0 ? 0 : (Math.floor(offset[n - 1] / this.intervalBytes) + 1) * this.intervalBytes;
  }
}
