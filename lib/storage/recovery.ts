/**
 * Opening a log directory: completes an interrupted reset, loads every sealed segment from its
 * index file (or rebuilds the index by a full scan when it is missing, damaged or stale), scans
 * the last segment in full, truncates a torn or corrupt tail of it, and refuses (STORAGE_CORRUPT,
 * naming segment file, byte offset and index) any damage that is not a torn tail.
 */
import path from 'node:path';
import { ATOMIC_TEMP_SUFFIX } from './atomic-file.js';
import { decodeIndexFile } from './index-file.js';
import { corruptError, errnoCode, ioError } from './io-error.js';
import { RECORD_HEADER_BYTES } from './limits.js';
import { completeReset, isLogFileName, listDir, pendingReset, RESET_MARKER_NAME } from './log-reset.js';
import { frameIndex, frameLength, frameStoredCrc } from './record-format.js';
import { INDEX_SUFFIX, parseSegmentName, SEGMENT_SUFFIX } from './segment.js';
import { scanRecords, validFrameFollows, zerosFrom } from './segment-scan.js';
import type { SegmentStore, StoredSegment } from './segment-store.js';
import { SPARE_SEGMENT_NAME } from './spare-segment.js';
import { syncRound } from './sync-round.js';

/** What open() found and repaired. */
export interface RecoveryReport {
  segments: number;
  records: number;
  firstIndex: number;
  lastIndex: number;
  /** The torn or corrupt end of the last segment that was cut off, if any. */
  truncatedTail: null | { segment: string; offset: number; bytesDropped: number; reason: string };
  /** Names of segments whose sparse index was missing or invalid and was rebuilt. */
  indexesRebuilt: string[];
  /** Files removed: leftover temp and spare files, orphan index files, empty trailing segments, a finished reset. */
  removedFiles: string[];
}

/** Fills `store` with the segments found in its directory (created when absent). */
export async function recover(store: SegmentStore): Promise<RecoveryReport> {
  const report: RecoveryReport = {
    segments: 0,
    records: 0,
    firstIndex: 0,
    lastIndex: 0,
    truncatedTail: null,
    indexesRebuilt: [],
    removedFiles: [],
  };
  try {
    await store.fs.mkdir(store.dir);
  } catch (error) {
    throw ioError(error, 'creating', store.dir);
  }
  const names = listDir(store);
  for (const leftover of [RESET_MARKER_NAME + ATOMIC_TEMP_SUFFIX, SPARE_SEGMENT_NAME]) {
    if (names.includes(leftover)) remove(store, leftover, report);
  }
  const resetTo = await pendingReset(store);
  if (resetTo !== undefined) {
    report.removedFiles.push(...(await completeReset(store, resetTo)), RESET_MARKER_NAME);
  } else {
    await loadSegments(store, report);
  }
  // Makes repairs durable: rebuilt index files, removals, a created first segment.
  await syncRound(store, Promise.resolve());
  const segs = store.segments;
  report.segments = segs.length;
  report.firstIndex = segs[0].firstIndex;
  report.lastIndex = segs[segs.length - 1].lastIndex;
  report.records = report.lastIndex - report.firstIndex + 1;
  return report;
}

async function loadSegments(store: SegmentStore, report: RecoveryReport): Promise<void> {
  const names = listDir(store).filter(isLogFileName);
  const firsts = names.map(parseSegmentName).filter((f): f is number => f !== undefined);
  firsts.sort((a, b) => a - b);
  const segs = store.segments;
  for (const first of firsts) segs.push(store.makeSegment(first));
  const segmentNames = new Set(segs.map((s) => s.name));
  for (const name of names) {
    const owner = name.slice(0, -INDEX_SUFFIX.length) + SEGMENT_SUFFIX;
    if (name.endsWith(INDEX_SUFFIX) && !segmentNames.has(owner)) remove(store, name, report);
  }
  if (segs.length === 0) {
    store.createSegment(1);
    return;
  }
  // Empty trailing segments are roll targets whose records never became durable.
  while (segs.length > 1 && store.fs.size(store.fdFor(segs[segs.length - 1])) === 0) {
    dropLast(store, report);
  }
  for (let i = 0; i < segs.length - 1; i++)
    loadSealed(store, segs[i], i > 0 ? segs[i - 1] : undefined, report);
  await loadLast(store, report);
  if (segs.length > 1 && segs[segs.length - 1].records === 0) {
    dropLast(store, report);
    const last = segs[segs.length - 1];
    last.sealed = false;
    removeIfPresent(store, last.indexPath, report);
  }
}

function loadSealed(
  store: SegmentStore,
  seg: StoredSegment,
  prev: StoredSegment | undefined,
  report: RecoveryReport,
) {
  if (prev !== undefined && seg.firstIndex !== prev.lastIndex + 1) {
    throw corruptError(seg.name, 0, prev.lastIndex + 1, `segment starts at index ${seg.firstIndex}`);
  }
  const fd = store.fdFor(seg);
  const size = store.fs.size(fd);
  if (loadIndexFile(store, seg, size) !== undefined) {
    const prevTerm = prev?.runs.lastTerm ?? 0;
    const failure = scan(store, seg, size, prevTerm);
    if (failure !== null) throw corruptError(seg.name, failure.offset, failure.index, failure.reason);
    if (seg.records === 0)
      throw corruptError(seg.name, 0, seg.firstIndex, 'a sealed segment holds no record');
    store.writeIndexFile(seg);
    report.indexesRebuilt.push(seg.name);
  }
  if (prev !== undefined && seg.runs.toArray()[0][1] < prev.runs.lastTerm) {
    throw corruptError(seg.name, 0, seg.firstIndex, 'term lower than the previous segment ends with');
  }
  seg.sealed = true;
  store.closeIdle();
}

async function loadLast(store: SegmentStore, report: RecoveryReport): Promise<void> {
  const segs = store.segments;
  const seg = segs[segs.length - 1];
  const prev = segs.length > 1 ? segs[segs.length - 2] : undefined;
  if (prev !== undefined && seg.firstIndex !== prev.lastIndex + 1) {
    throw corruptError(seg.name, 0, prev.lastIndex + 1, `segment starts at index ${seg.firstIndex}`);
  }
  removeIfPresent(store, seg.indexPath, report);
  const fd = store.fdFor(seg);
  const size = store.fs.size(fd);
  const failure = scan(store, seg, size, prev?.runs.lastTerm ?? 0);
  seg.fileBytes = size;
  // The scan read ahead into the zeros past the records, which appends will overwrite.
  store.reader.invalidate();
  if (failure === null || zerosFrom(store.fs, fd, failure.offset, size)) return;
  if (validFrameFollows(store.fs, fd, failure.offset, size, failure.index)) {
    throw corruptError(
      seg.name,
      failure.offset,
      failure.index,
      `${failure.reason}, and valid records follow`,
    );
  }
  try {
    store.fs.truncate(fd, failure.offset);
    seg.fileBytes = failure.offset;
    await store.fs.datasync(fd);
  } catch (error) {
    throw ioError(error, 'truncating the torn tail of', seg.path);
  }
  store.reader.invalidate();
  report.truncatedTail = {
    segment: seg.name,
    offset: failure.offset,
    bytesDropped: size - failure.offset,
    reason: failure.reason,
  };
}

function scan(store: SegmentStore, seg: StoredSegment, size: number, prevTerm: number) {
  return scanRecords(
    store.reader,
    store.fdFor(seg),
    size,
    { offset: 0, index: seg.firstIndex, prevTerm },
    (index, term, offset, frameBytes, crc) => {
      seg.noteRecord(index, offset, frameBytes, crc);
      seg.runs.append(index, term);
    },
  );
}

/** Loads `seg` from its index file after checking it against the segment; returns why not otherwise. */
function loadIndexFile(store: SegmentStore, seg: StoredSegment, size: number): string | undefined {
  const bytes = readWhole(store, seg.indexPath);
  if (bytes === undefined) return 'missing';
  const c = decodeIndexFile(bytes);
  if (typeof c === 'string') return c;
  if (c.firstIndex !== seg.firstIndex) return 'belongs to another segment';
  if (c.segmentBytes !== size) return 'segment length differs';
  if (c.lastRecordOffset + RECORD_HEADER_BYTES > size) return 'last record offset out of bounds';
  const pos = store.reader.window(store.fdFor(seg), c.lastRecordOffset, RECORD_HEADER_BYTES, size);
  const buf = store.reader.buf;
  if (
    c.lastRecordOffset + RECORD_HEADER_BYTES + frameLength(buf, pos) !== size ||
    frameStoredCrc(buf, pos) !== c.lastRecordCrc ||
    frameIndex(buf, pos) !== c.lastIndex
  ) {
    return 'does not match the segment';
  }
  seg.loadSparse(c.sparseIndex, c.sparseOffset);
  seg.lastIndex = c.lastIndex;
  seg.bytes = size;
  seg.lastRecordOffset = c.lastRecordOffset;
  seg.lastRecordCrc = c.lastRecordCrc;
  for (const [start, term] of c.runs) seg.runs.append(start, term);
  return undefined;
}

function readWhole(store: SegmentStore, file: string): Uint8Array | undefined {
  let fd: number;
  try {
    fd = store.fs.open(file, 'existing');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw ioError(error, 'opening', file);
  }
  try {
    const size = store.fs.size(fd);
    const buf = new Uint8Array(size);
    let got = 0;
    while (got < size) {
      const r = store.fs.read(fd, buf, got, size - got, got);
      if (r === 0) break;
      got += r;
    }
    return buf.subarray(0, got);
  } finally {
    store.fs.close(fd);
  }
}

function dropLast(store: SegmentStore, report: RecoveryReport): void {
  const seg = store.segments.pop()!;
  store.removeFiles(seg);
  report.removedFiles.push(seg.name);
}

function remove(store: SegmentStore, name: string, report: RecoveryReport): void {
  store.unlink(path.join(store.dir, name), false);
  store.dirDirty = true;
  report.removedFiles.push(name);
}

function removeIfPresent(store: SegmentStore, file: string, report: RecoveryReport): void {
  if (!store.fs.exists(file)) return;
  store.unlink(file, false);
  store.dirDirty = true;
  report.removedFiles.push(path.basename(file));
}
