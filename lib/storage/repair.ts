/**
 * Cutting a damaged log back to its last good record, so a node can fetch the rest again from its
 * peers (the node — not storage — makes that safe: see lib/node/corruption-repair.ts). Storage only
 * knows files: given the segment and byte offset that STORAGE_CORRUPT reported, everything from
 * there on is removed durably, and the index files it would contradict are deleted (they are
 * rebuilt on open).
 */
import path from 'node:path';
import type { FileSystem } from './file-system.js';
import { RECORD_BYTES_MAX, RECORD_HEADER_BYTES } from './limits.js';
import { frameCrc, frameIndex, frameLength, frameStoredCrc } from './record-format.js';
import { INDEX_SUFFIX, parseSegmentName, SEGMENT_SUFFIX } from './segment.js';

/** What a truncation removed. */
export interface LogRepair {
  readonly segment: string;
  readonly offset: number;
  /** Later segment files deleted whole. */
  readonly segmentsRemoved: readonly string[];
}

/**
 * Truncates `segment` (a file name in the log directory `dir`) at byte `offset` and deletes every
 * later segment with its index file; durable when resolved. Open the log again afterwards.
 */
export async function truncateLogAt(
  fs: FileSystem,
  dir: string,
  segment: string,
  offset: number,
): Promise<LogRepair> {
  const first = parseSegmentName(segment);
  if (first === undefined) throw new Error(`not a segment name: ${segment}`);
  const removed: string[] = [];
  for (const name of fs.readdir(dir)) {
    const start = parseSegmentName(name);
    if (start !== undefined && start > first) {
      fs.unlink(path.join(dir, name));
      removed.push(name);
    }
    if (name.endsWith(INDEX_SUFFIX)) {
      const owner = parseSegmentName(name.slice(0, -INDEX_SUFFIX.length) + SEGMENT_SUFFIX);
      if (owner !== undefined && owner >= first) fs.unlink(path.join(dir, name));
    }
  }
  const fd = fs.open(path.join(dir, segment), 'existing');
  try {
    fs.truncate(fd, offset);
    await fs.datasync(fd);
  } finally {
    fs.close(fd);
  }
  await fs.syncDir(dir);
  return { segment, offset, segmentsRemoved: removed };
}

/**
 * The highest index of any intact record in the log's LAST segment file, at least `floor`: a
 * damaged log cannot say where it ended, but records after the damage usually survive, and a node
 * must know every index it may have acknowledged before it votes again. Frames are searched byte
 * by byte where the framing is lost, then followed record by record.
 */
export function highestIntactIndex(fs: FileSystem, dir: string, floor: number): number {
  const last = fs
    .readdir(dir)
    .map((name) => ({ name, first: parseSegmentName(name) }))
    .filter((s): s is { name: string; first: number } => s.first !== undefined)
    .sort((a, b) => b.first - a.first)[0];
  if (last === undefined) return floor;
  const fd = fs.open(path.join(dir, last.name), 'existing');
  try {
    const size = fs.size(fd);
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const n = fs.read(fd, buf, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    let highest = Math.max(floor, last.first - 1);
    for (let p = 0; p + RECORD_HEADER_BYTES <= got; ) {
      const length = frameLength(buf, p);
      const fits = length <= RECORD_BYTES_MAX && p + RECORD_HEADER_BYTES + length <= got;
      if (fits && frameIndex(buf, p) >= last.first && frameCrc(buf, p, length) === frameStoredCrc(buf, p)) {
        highest = Math.max(highest, frameIndex(buf, p));
        p += RECORD_HEADER_BYTES + length;
      } else {
        p++;
      }
    }
    return highest;
  } finally {
    fs.close(fd);
  }
}
