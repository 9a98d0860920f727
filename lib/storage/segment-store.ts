/**
 * The disk side of the segmented log: the list of segment files, framing appends into one write
 * buffer (written with one write per group), rolling and sealing segments, reads by index through
 * the sparse index, truncation, prefix deletion, and the sync round of group commit. It knows
 * nothing of promises handed to callers: SegmentedLog orders the calls and owns the in-memory view.
 */
import { assert } from '../assert.js';
import { ChunkReader } from './chunk-reader.js';
import type { FileSystem } from './file-system.js';
import { encodeIndexFile } from './index-file.js';
import { corruptError, errnoCode, ioError } from './io-error.js';
import { RECORD_BYTES_MAX, RECORD_HEADER_BYTES, WRITE_BUFFER_BYTES } from './limits.js';
import type { LogRecord } from './log-record.js';
import {
  encodeRecord,
  frameCrc,
  frameIndex,
  frameLength,
  frameStoredCrc,
  frameTerm,
  frameType,
} from './record-format.js';
import { Segment } from './segment.js';
import { TermRuns } from './term-runs.js';

/** The sizes the store works with (resolved options of SegmentedLog). */
export interface StoreLimits {
  readonly segmentBytesMax: number;
  readonly sparseIndexIntervalBytes: number;
  readonly openSegmentsMax: number;
}

/** A segment plus the term runs of its records (kept per segment for its index file). */
export type StoredSegment = Segment & { runs: TermRuns };

/** Segment files of one log directory. All methods are synchronous; only `syncRound` awaits. */
export class SegmentStore {
  /** Segments in index order; the last one is active (appends go there), the others are sealed. */
  readonly segments: StoredSegment[] = [];
  readonly reader: ChunkReader;
  /** A directory entry changed since the last directory fsync. */
  dirDirty = false;
  private dirty: StoredSegment[] = [];
  /** Index files written since the last round, still open: the round makes them durable too. */
  private indexFiles: Array<{ fd: number; path: string }> = [];
  private wbuf = Buffer.allocUnsafe(WRITE_BUFFER_BYTES);
  private wlen = 0;
  private writeError: unknown = null;
  private openCount = 0;
  private useClock = 0;

  constructor(
    readonly fs: FileSystem,
    readonly dir: string,
    readonly limits: StoreLimits,
  ) {
    this.reader = new ChunkReader(fs);
  }

  /** The segment appends go to. */
  get active(): StoredSegment {
    return this.segments[this.segments.length - 1];
  }

  /** Bytes of valid records in all segments. */
  get bytes(): number {
    let total = 0;
    for (const s of this.segments) total += s.bytes;
    return total;
  }

  /** A Segment object for `firstIndex` in this directory (not yet in the list, file not opened). */
  makeSegment(firstIndex: number): StoredSegment {
    const seg = new Segment(this.dir, firstIndex, this.limits.sparseIndexIntervalBytes) as StoredSegment;
    seg.runs = new TermRuns();
    return seg;
  }

  /** Creates an empty segment file starting at `firstIndex` and makes it the active segment. */
  createSegment(firstIndex: number): StoredSegment {
    const seg = this.makeSegment(firstIndex);
    try {
      seg.fd = this.fs.open(seg.path, 'replace');
    } catch (error) {
      throw ioError(error, 'creating', seg.path);
    }
    this.openCount++;
    this.segments.push(seg);
    this.dirDirty = true;
    return seg;
  }

  /** Frames `records` (contiguous after the active segment's last) into the write buffer. */
  append(records: readonly LogRecord[]): void {
    let seg = this.active;
    const max = this.limits.segmentBytesMax;
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      const frameBytes = RECORD_HEADER_BYTES + r.payload.length;
      if (seg.bytes > 0 && seg.bytes + frameBytes > max) seg = this.roll(r.index);
      if (this.wlen + frameBytes > this.wbuf.length) this.makeRoom(frameBytes);
      const crc = encodeRecord(this.wbuf, this.wlen, r.index, r.term, r.type, r.payload);
      this.wlen += frameBytes;
      seg.noteRecord(r.index, seg.bytes, frameBytes, crc);
      seg.runs.append(r.index, r.term);
    }
  }

  /** Forgets the buffered frames (the records they hold were removed before reaching the file). */
  discardWrites(): void {
    this.wlen = 0;
  }

  /** Writes the buffered frames to the active segment (into the page cache). */
  flushWrites(): void {
    if (this.writeError !== null) throw this.writeError;
    if (this.wlen === 0) return;
    const seg = this.active;
    try {
      this.fs.write(seg.fd, this.wbuf, 0, this.wlen, seg.bytes - this.wlen);
    } catch (error) {
      this.writeError = ioError(error, 'writing', seg.path);
      throw this.writeError;
    }
    this.wlen = 0;
    this.markDirty(seg);
  }

  /**
   * One group-commit round: writes what is buffered, fdatasyncs every segment written since the
   * previous round (in index order, so a later segment is never durable before an earlier one),
   * then fsyncs the directory if a segment file was created or removed.
   */
  async syncRound(): Promise<void> {
    this.flushWrites();
    const list = this.dirty;
    this.dirty = [];
    const dirDirty = this.dirDirty;
    this.dirDirty = false;
    await this.syncSegments(list);
    await this.syncIndexFiles();
    if (!dirDirty) return;
    // The directory fsync makes every entry created so far durable, including segments rolled to
    // while this round ran: their predecessors' data must be durable first, or a crash could
    // leave a later segment behind an earlier one's torn tail.
    for (;;) {
      const behind = this.dirty.filter((seg) => seg !== this.active);
      if (behind.length === 0) break;
      this.dirty = this.dirty.filter((seg) => seg === this.active);
      await this.syncSegments(behind);
    }
    await this.syncDir();
  }

  /** fdatasyncs `list` in index order; their handles stay open meanwhile. */
  private async syncSegments(list: StoredSegment[]): Promise<void> {
    if (list.length > 1) list.sort((a, b) => a.firstIndex - b.firstIndex);
    for (const seg of list) {
      seg.dirty = false;
      seg.syncing = true;
    }
    try {
      for (const seg of list) {
        if (seg.retired) continue;
        try {
          await this.fs.datasync(seg.fd);
        } catch (error) {
          throw ioError(error, 'syncing', seg.path);
        }
      }
    } finally {
      for (const seg of list) {
        seg.syncing = false;
        if (seg.retired) this.closeSegment(seg);
      }
    }
  }

  /** fdatasyncs and closes the index files written since the last round; failures only cost a rebuild. */
  private async syncIndexFiles(): Promise<void> {
    const files = this.indexFiles;
    if (files.length === 0) return;
    this.indexFiles = [];
    for (const f of files) {
      try {
        await this.fs.datasync(f.fd);
      } catch {
        // A lost index file is rebuilt at the next open.
      }
      try {
        this.fs.close(f.fd);
      } catch {
        // Already closed by a simulated crash.
      }
    }
  }

  /** fsyncs the log directory (entries created, renamed or removed become durable). */
  async syncDir(): Promise<void> {
    try {
      await this.fs.syncDir(this.dir);
    } catch (error) {
      throw ioError(error, 'syncing the directory', this.dir);
    }
  }

  /** The segment holding `index` (which the caller knows is stored). */
  find(index: number): StoredSegment {
    const segs = this.segments;
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
  read(index: number): LogRecord {
    const seg = this.find(index);
    return this.readAt(seg, this.locate(seg, index), index).record;
  }

  /**
   * Appends records [lo, hi) to `out` in order, stopping after the record that takes the payload
   * total (starting from `bytes`) past `maxBytes`. Returns the new payload total.
   */
  readRange(lo: number, hi: number, maxBytes: number, out: LogRecord[], bytes: number): number {
    let index = lo;
    while (index < hi) {
      const seg = this.find(index);
      let offset = this.locate(seg, index);
      const end = Math.min(hi, seg.lastIndex + 1);
      while (index < end) {
        const { record, frameBytes } = this.readAt(seg, offset, index);
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
  locate(seg: StoredSegment, index: number): number {
    assert(index >= seg.firstIndex && index <= seg.lastIndex, 'locate within the segment');
    const fd = this.fdFor(seg);
    let { index: at, offset } = seg.seek(index);
    while (at < index) {
      if (offset + RECORD_HEADER_BYTES > seg.bytes)
        throw corruptError(seg.name, offset, at, 'frame past the end');
      const pos = this.reader.window(fd, offset, RECORD_HEADER_BYTES, seg.bytes);
      offset += RECORD_HEADER_BYTES + frameLength(this.reader.buf, pos);
      at++;
    }
    return offset;
  }

  /** Reads and checks the frame of record `index` at `offset` in `seg`. */
  readAt(seg: StoredSegment, offset: number, index: number): { record: LogRecord; frameBytes: number } {
    const fd = this.fdFor(seg);
    const r = this.reader;
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

  /**
   * Cuts `seg` (the active segment, or one about to become it) so its last record is `index`.
   * `index` may be seg.firstIndex - 1 (cut to empty).
   */
  cut(seg: StoredSegment, index: number): void {
    if (index >= seg.lastIndex) return;
    const fd = this.fdFor(seg);
    if (index < seg.firstIndex) {
      seg.cut(index, 0, { offset: -1, crc: 0 });
    } else {
      const offset = this.locate(seg, index);
      const { frameBytes } = this.readAt(seg, offset, index);
      const pos = this.reader.window(fd, offset, RECORD_HEADER_BYTES, seg.bytes);
      seg.cut(index, offset + frameBytes, { offset, crc: frameStoredCrc(this.reader.buf, pos) });
    }
    seg.runs.truncateAfter(index);
    this.reader.invalidate();
    try {
      this.fs.truncate(fd, seg.bytes);
    } catch (error) {
      throw ioError(error, 'truncating', seg.path);
    }
    this.markDirty(seg);
  }

  /** Removes `seg`'s files (segment and index) from the directory and forgets its handle. */
  removeFiles(seg: StoredSegment): void {
    this.unlink(seg.path, true);
    this.unlink(seg.indexPath, false);
    this.retire(seg);
    this.dirDirty = true;
  }

  /** Forgets `seg`'s handle: closed now, or when the sync round using it ends. */
  retire(seg: StoredSegment): void {
    seg.retired = true;
    if (!seg.syncing) this.closeSegment(seg);
  }

  /** Unlinks `file`; a missing file is an error only when `mustExist`. */
  unlink(file: string, mustExist: boolean): void {
    try {
      this.fs.unlink(file);
    } catch (error) {
      if (mustExist || errnoCode(error) !== 'ENOENT') throw ioError(error, 'removing', file);
    }
  }

  /** Seals the active segment: its records are final and its index file is written. */
  seal(seg: StoredSegment): void {
    seg.sealed = true;
    this.writeIndexFile(seg);
  }

  /**
   * Writes `seg`'s index file, best effort: the file is a disposable derivative, checked against
   * the segment at open and rebuilt when missing, torn or stale. The next sync round makes it
   * durable (so a reopen after a crash need not rebuild it); nothing waits for that.
   */
  writeIndexFile(seg: StoredSegment): void {
    const sparse = seg.sparseEntries();
    const bytes = encodeIndexFile({
      firstIndex: seg.firstIndex,
      lastIndex: seg.lastIndex,
      segmentBytes: seg.bytes,
      lastRecordOffset: seg.lastRecordOffset,
      lastRecordCrc: seg.lastRecordCrc,
      sparseIndex: sparse.index as number[],
      sparseOffset: sparse.offset as number[],
      runs: seg.runs.toArray(),
    });
    let fd = -1;
    try {
      fd = this.fs.open(seg.indexPath, 'replace');
      this.fs.write(fd, bytes, 0, bytes.length, 0);
      this.indexFiles.push({ fd, path: seg.indexPath });
      this.dirDirty = true;
    } catch {
      // A missing or partial index file is rebuilt at the next open; the log itself is unharmed.
      if (fd >= 0) this.fs.close(fd);
    }
  }

  /** The open handle of `seg`, opening it (and closing the least recently used) when needed. */
  fdFor(seg: StoredSegment): number {
    seg.lastUse = ++this.useClock;
    if (seg === this.active && this.wlen > 0) this.flushWrites();
    if (seg.fd >= 0) return seg.fd;
    this.closeIdle(1);
    try {
      seg.fd = this.fs.open(seg.path, 'existing');
    } catch (error) {
      throw ioError(error, 'opening', seg.path);
    }
    this.openCount++;
    return seg.fd;
  }

  /** Closes every handle (after the last round). */
  closeAll(): void {
    for (const seg of this.segments) this.closeSegment(seg);
    for (const f of this.indexFiles.splice(0)) {
      try {
        this.fs.close(f.fd);
      } catch {
        // Already invalid (a simulated crash); nothing to release.
      }
    }
  }

  /** Closes sealed, idle handles until `room` more fit in the bound, least recently used first. */
  closeIdle(room = 0): void {
    while (this.openCount + room > this.limits.openSegmentsMax) {
      let victim: StoredSegment | undefined;
      for (const s of this.segments) {
        if (s.fd < 0 || s === this.active || s.dirty || s.syncing) continue;
        if (victim === undefined || s.lastUse < victim.lastUse) victim = s;
      }
      if (victim === undefined) return;
      this.closeSegment(victim);
    }
  }

  private closeSegment(seg: StoredSegment): void {
    if (seg.fd < 0) return;
    const fd = seg.fd;
    seg.fd = -1;
    this.openCount--;
    this.reader.invalidate();
    try {
      this.fs.close(fd);
    } catch {
      // Closing cannot lose data that a datasync has not already made durable or reported.
    }
  }

  private roll(firstIndex: number): StoredSegment {
    this.flushWrites();
    this.seal(this.active);
    const seg = this.createSegment(firstIndex);
    this.closeIdle();
    return seg;
  }

  private makeRoom(frameBytes: number): void {
    this.flushWrites();
    if (frameBytes > this.wbuf.length) {
      let size = this.wbuf.length;
      while (size < frameBytes) size *= 2;
      this.wbuf = Buffer.allocUnsafe(size);
    }
  }

  private markDirty(seg: StoredSegment): void {
    if (seg.dirty) return;
    seg.dirty = true;
    this.dirty.push(seg);
  }
}
