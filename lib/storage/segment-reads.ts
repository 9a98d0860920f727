/**
 * Synchronous reads of stored records: find the segment (binary search on first indexes), seek
 * to the sparse index entry at or before the record, skip frames to it, and check its frame
 * (bounds, CRC, index) before returning a copy of it. Damage is STORAGE_CORRUPT naming the
 * segment file, the byte offset and the index.
 */
import { assert } from '../assert.js';
import { corruptError } from './io-error.js';
import { RECORD_BYTES_MAX, RECORD_HEADER_BYTES } from './limits.js';
import type { LogRecord } from './log-record.js';
import { frameCrc, frameIndex, frameLength, frameStoredCrc, frameTerm, frameType } from './record-format.js';
import type { SegmentStore, StoredSegment } from './segment-store.js';

/** The segment holding `index` (which the caller knows is stored). */
export function findSegment(store: SegmentStore, index: number): StoredSegment {
  const segs = store.segments;
  let hi = segs.length - 1;
  if (index >= segs[hi].firstIndex) return segs[hi];
  let lo = 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (segs[mid].firstIndex <= index) lo = mid;
    else hi = mid - 1;
  }
  return segs[lo];
}

/** Reads the stored record `index`, checking its CRC. */
export function readRecord(store: SegmentStore, index: number): LogRecord {
  const seg = findSegment(store, index);
  return readFrameAt(store, seg, locateRecord(store, seg, index), index).record;
}

/**
 * Appends records [lo, hi) to `out` in order, stopping after the record that takes the payload
 * total (starting from `bytes`) past `maxBytes`. Returns the new payload total.
 */
export function readRecords(
  store: SegmentStore,
  lo: number,
  hi: number,
  maxBytes: number,
  out: LogRecord[],
  bytes: number,
): number {
  let index = lo;
  while (index < hi) {
    const seg = findSegment(store, index);
    let offset = locateRecord(store, seg, index);
    const end = Math.min(hi, seg.lastIndex + 1);
    while (index < end) {
      const { record, frameBytes } = readFrameAt(store, seg, offset, index);
      out.push(record);
      bytes += record.payload.length;
      offset += frameBytes;
      index++;
      if (bytes > maxBytes) return bytes;
    }
  }
  return bytes;
}

/** Byte offset of record `index` in `seg`: from the sparse entry before it, skipping frames. */
export function locateRecord(store: SegmentStore, seg: StoredSegment, index: number): number {
  assert(index >= seg.firstIndex && index <= seg.lastIndex, 'locate within the segment');
  const fd = store.fdFor(seg);
  let { index: at, offset } = seg.seek(index);
  while (at < index) {
    if (offset + RECORD_HEADER_BYTES > seg.bytes)
      throw corruptError(seg.name, offset, at, 'frame past the end');
    const pos = store.reader.window(fd, offset, RECORD_HEADER_BYTES, seg.bytes);
    offset += RECORD_HEADER_BYTES + frameLength(store.reader.buf, pos);
    at++;
  }
  return offset;
}

/** Reads and checks the frame of record `index` at `offset` in `seg`. */
export function readFrameAt(
  store: SegmentStore,
  seg: StoredSegment,
  offset: number,
  index: number,
): { record: LogRecord; frameBytes: number } {
  const fd = store.fdFor(seg);
  const r = store.reader;
  if (offset + RECORD_HEADER_BYTES > seg.bytes)
    throw corruptError(seg.name, offset, index, 'frame past the end');
  let pos = r.window(fd, offset, RECORD_HEADER_BYTES, seg.bytes);
  const length = frameLength(r.buf, pos);
  const frameBytes = RECORD_HEADER_BYTES + length;
  if (length > RECORD_BYTES_MAX || offset + frameBytes > seg.bytes) {
    throw corruptError(seg.name, offset, index, `record length ${length} out of bounds`);
  }
  pos = r.window(fd, offset, frameBytes, seg.bytes);
  const buf = r.buf;
  if (frameCrc(buf, pos, length) !== frameStoredCrc(buf, pos)) {
    throw corruptError(seg.name, offset, index, 'checksum mismatch');
  }
  const found = frameIndex(buf, pos);
  if (found !== index) throw corruptError(seg.name, offset, index, `record holds index ${found}`);
  const payload = new Uint8Array(length);
  payload.set(buf.subarray(pos + RECORD_HEADER_BYTES, pos + frameBytes));
  const record = { index, term: frameTerm(buf, pos), type: frameType(buf, pos), payload };
  return { record, frameBytes };
}
