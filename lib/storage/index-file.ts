/**
 * The sparse index file of a sealed segment (`<segment>.index`): a disposable derivative of the
 * segment that lets a reopen skip scanning it. It carries the sparse offset entries, the term runs
 * of the segment, and a fingerprint of the segment (length, last record's offset, index and CRC)
 * that is checked against the segment itself before the file is trusted. Layout, little-endian:
 *
 *   0  u32 magic "LCIX"      4  u32 version (1)
 *   8  u64 firstIndex        16 u64 lastIndex
 *   24 u64 segmentBytes      32 u64 lastRecordOffset
 *   40 u32 lastRecordCrc     44 u32 sparse entry count S     48 u32 term run count R   52 u32 0
 *   56 S x (u32 index - firstIndex, u32 offset)
 *   .. R x (u64 firstIndex, u64 term)
 *   .. u32 CRC32C of every byte before it
 */
import { crc32c } from './crc32c.js';
import { readU32, readU64, writeU32, writeU64 } from './record-format.js';

const MAGIC = 0x5849434c; // "LCIX" read as a little-endian u32
const VERSION = 1;
const HEAD_BYTES = 56;

/** What an index file says about its segment. */
export interface IndexFileContent {
  readonly firstIndex: number;
  readonly lastIndex: number;
  readonly segmentBytes: number;
  readonly lastRecordOffset: number;
  readonly lastRecordCrc: number;
  readonly sparseIndex: number[];
  readonly sparseOffset: number[];
  readonly runs: Array<[number, number]>;
}

/** Encodes an index file. */
export function encodeIndexFile(c: IndexFileContent): Uint8Array {
  const s = c.sparseIndex.length;
  const r = c.runs.length;
  const buf = new Uint8Array(HEAD_BYTES + s * 8 + r * 16 + 4);
  writeU32(buf, 0, MAGIC);
  writeU32(buf, 4, VERSION);
  writeU64(buf, 8, c.firstIndex);
  writeU64(buf, 16, c.lastIndex);
  writeU64(buf, 24, c.segmentBytes);
  writeU64(buf, 32, c.lastRecordOffset);
  writeU32(buf, 40, c.lastRecordCrc);
  writeU32(buf, 44, s);
  writeU32(buf, 48, r);
  let p = HEAD_BYTES;
  for (let i = 0; i < s; i++, p += 8) {
    writeU32(buf, p, c.sparseIndex[i] - c.firstIndex);
    writeU32(buf, p + 4, c.sparseOffset[i]);
  }
  for (const [start, term] of c.runs) {
    writeU64(buf, p, start);
    writeU64(buf, p + 8, term);
    p += 16;
  }
  writeU32(buf, p, crc32c(buf, 0, p));
  return buf;
}

/** Decodes and sanity-checks an index file; returns why it is unusable as a string. */
export function decodeIndexFile(buf: Uint8Array): IndexFileContent | string {
  if (buf.length < HEAD_BYTES + 4) return 'too short';
  if (readU32(buf, 0) !== MAGIC || readU32(buf, 4) !== VERSION) return 'bad magic or version';
  const s = readU32(buf, 44);
  const r = readU32(buf, 48);
  const end = HEAD_BYTES + s * 8 + r * 16;
  if (buf.length !== end + 4) return 'wrong length';
  if (crc32c(buf, 0, end) !== readU32(buf, end)) return 'checksum mismatch';
  const firstIndex = readU64(buf, 8);
  const content: IndexFileContent = {
    firstIndex,
    lastIndex: readU64(buf, 16),
    segmentBytes: readU64(buf, 24),
    lastRecordOffset: readU64(buf, 32),
    lastRecordCrc: readU32(buf, 40),
    sparseIndex: new Array(s),
    sparseOffset: new Array(s),
    runs: new Array(r),
  };
  let p = HEAD_BYTES;
  for (let i = 0; i < s; i++, p += 8) {
    content.sparseIndex[i] = firstIndex + readU32(buf, p);
    content.sparseOffset[i] = readU32(buf, p + 4);
  }
  for (let i = 0; i < r; i++, p += 16) content.runs[i] = [readU64(buf, p), readU64(buf, p + 8)];
  return checkShape(content) ?? content;
}

function checkShape(c: IndexFileContent): string | undefined {
  if (c.lastIndex < c.firstIndex) return 'a sealed segment holds records';
  if (c.sparseIndex.length === 0 || c.sparseIndex[0] !== c.firstIndex || c.sparseOffset[0] !== 0) {
    return 'sparse entries must start at the first record';
  }
  for (let i = 1; i < c.sparseIndex.length; i++) {
    if (c.sparseIndex[i] <= c.sparseIndex[i - 1] || c.sparseOffset[i] <= c.sparseOffset[i - 1]) {
      return 'sparse entries out of order';
    }
  }
  if (c.sparseIndex[c.sparseIndex.length - 1] > c.lastIndex) return 'sparse entry past the last record';
  if (c.sparseOffset[c.sparseOffset.length - 1] > c.lastRecordOffset)
    return 'sparse offset past the last record';
  if (c.runs.length === 0 || c.runs[0][0] !== c.firstIndex) return 'term runs must start at the first record';
  for (let i = 1; i < c.runs.length; i++) {
    if (c.runs[i][0] <= c.runs[i - 1][0] || c.runs[i][1] <= c.runs[i - 1][1]) return 'term runs out of order';
  }
  if (c.runs[c.runs.length - 1][0] > c.lastIndex) return 'term run past the last record';
  return undefined;
}
