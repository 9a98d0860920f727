/**
 * Walking a segment's records from an offset and checking each one: the frame fits in the file,
 * its length is within bounds, its CRC matches, its index is the next one expected and its term
 * does not go backwards. Used by recovery (the last segment, and any segment whose index file
 * must be rebuilt) and by truncation.
 */
import type { ChunkReader } from './chunk-reader.js';
import type { FileHandle, FileSystem } from './file-system.js';
import { RECORD_BYTES_MAX, RECORD_HEADER_BYTES } from './limits.js';
import { frameCrc, frameIndex, frameLength, frameStoredCrc, frameTerm, readU64 } from './record-format.js';

/** Where and why a scan met a record that is not valid. */
export interface ScanFailure {
  readonly offset: number;
  readonly index: number;
  readonly reason: string;
}

/** Called for each valid record: its index, term, offset, frame size and CRC. */
export type RecordVisitor = (
  index: number,
  term: number,
  offset: number,
  frameBytes: number,
  crc: number,
) => void;

/**
 * Checks records from `offset` (where `index` is expected; the previous record's term is
 * `prevTerm`) up to `limit` bytes. Returns the failure that stopped it, or null when every byte up
 * to `limit` belongs to a valid record.
 */
export function scanRecords(
  reader: ChunkReader,
  fd: FileHandle,
  limit: number,
  start: { offset: number; index: number; prevTerm: number },
  visit: RecordVisitor,
): ScanFailure | null {
  let { offset, index, prevTerm } = start;
  while (offset < limit) {
    if (limit - offset < RECORD_HEADER_BYTES) return { offset, index, reason: 'torn record header' };
    let pos = reader.window(fd, offset, RECORD_HEADER_BYTES, limit);
    const length = frameLength(reader.buf, pos);
    if (length > RECORD_BYTES_MAX) return { offset, index, reason: `record length ${length} out of bounds` };
    const frameBytes = RECORD_HEADER_BYTES + length;
    if (offset + frameBytes > limit)
      return { offset, index, reason: 'record extends past the end of the file' };
    pos = reader.window(fd, offset, frameBytes, limit);
    const buf = reader.buf;
    const crc = frameStoredCrc(buf, pos);
    if (frameCrc(buf, pos, length) !== crc) return { offset, index, reason: 'checksum mismatch' };
    const found = frameIndex(buf, pos);
    if (found !== index) return { offset, index, reason: `record holds index ${found}` };
    const term = frameTerm(buf, pos);
    if (term < prevTerm) return { offset, index, reason: `term ${term} after term ${prevTerm}` };
    visit(index, term, offset, frameBytes, crc);
    prevTerm = term;
    index++;
    offset += frameBytes;
  }
  return null;
}

/**
 * True when some complete frame with a valid CRC and an index >= `minIndex` starts after `from`
 * (before `limit`). This tells a torn tail (nothing valid follows the bad bytes: the end of an
 * interrupted write) from corruption (valid records follow damaged ones).
 */
export function validFrameFollows(
  fs: FileSystem,
  fd: FileHandle,
  from: number,
  limit: number,
  minIndex: number,
): boolean {
  const size = limit - from;
  if (size <= RECORD_HEADER_BYTES) return false;
  const buf = Buffer.allocUnsafe(size);
  let got = 0;
  while (got < size) {
    const r = fs.read(fd, buf, got, size - got, from + got);
    if (r === 0) break;
    got += r;
  }
  // A later record's index is above minIndex by at most the number of frames that fit before it.
  const maxIndex = minIndex + Math.ceil(got / RECORD_HEADER_BYTES);
  for (let p = 1; p + RECORD_HEADER_BYTES <= got; p++) {
    const index = readU64(buf, p + 8);
    if (index < minIndex || index > maxIndex) continue;
    const length = frameLength(buf, p);
    if (length > RECORD_BYTES_MAX || p + RECORD_HEADER_BYTES + length > got) continue;
    if (frameCrc(buf, p, length) === frameStoredCrc(buf, p)) return true;
  }
  return false;
}

/** Bytes compared per read when checking for zeros. */
const ZERO_CHECK_CHUNK_BYTES = 1024 * 1024;
const ZEROS = new Uint8Array(ZERO_CHECK_CHUNK_BYTES);

/**
 * True when every byte in [from, limit) is zero: the untouched rest of a preallocated segment,
 * where the log simply ends (nothing was torn, nothing is cut off).
 */
export function zerosFrom(fs: FileSystem, fd: FileHandle, from: number, limit: number): boolean {
  const buf = Buffer.allocUnsafe(Math.min(ZERO_CHECK_CHUNK_BYTES, Math.max(0, limit - from)));
  for (let at = from; at < limit; ) {
    const n = fs.read(fd, buf, 0, Math.min(buf.length, limit - at), at);
    if (n === 0) return false;
    if (Buffer.compare(buf.subarray(0, n), ZEROS.subarray(0, n)) !== 0) return false;
    at += n;
  }
  return true;
}
