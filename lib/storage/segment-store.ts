/**
 * The disk side of the segmented log: the list of segment files, framing appends into one write
 * buffer (written with one write per group), rolling and sealing segments, truncation, removal,
 * index files and open handles. Reads live in segment-reads.ts, the sync round in sync-round.ts.
 * It knows nothing of the promises handed to callers: SegmentedLog orders the calls and owns the
 * in-memory view.
 */
import { ChunkReader } from './chunk-reader.js';
import type { FileSystem } from './file-system.js';
import { FrameBuffer } from './frame-buffer.js';
import { encodeIndexFile } from './index-file.js';
import { errnoCode, ioError } from './io-error.js';
import { RECORD_HEADER_BYTES, WRITE_BUFFER_BYTES, ZERO_AHEAD_BYTES } from './limits.js';
import type { LogRecord } from './log-record.js';
import { frameStoredCrc } from './record-format.js';
import { Segment } from './segment.js';
import { locateRecord, readFrameAt } from './segment-reads.js';
import { SPARE_PREPARE_AT_FILL, SpareSegment } from './spare-segment.js';
import { TermRuns } from './term-runs.js';

/** The sizes the store works with (resolved options of SegmentedLog). */
export interface StoreLimits {
  readonly segmentBytesMax: number;
  readonly sparseIndexIntervalBytes: number;
  readonly openSegmentsMax: number;
}

/** ZERO_AHEAD_BYTES of zeros, allocated at the first zero-ahead. */
let zeros: Uint8Array | undefined;

/** A segment plus the term runs of its records (kept per segment for its index file). */
export type StoredSegment = Segment & { runs: TermRuns };

/** Segment files of one log directory. All methods are synchronous except syncDir (see sync-round.ts). */
export class SegmentStore {
  /** Segments in index order; the last one is active (appends go there), the others are sealed. */
  readonly segments: StoredSegment[] = [];
  readonly reader: ChunkReader;
  /** A directory entry changed since the last directory fsync. */
  dirDirty = false;
  private dirty: StoredSegment[] = [];
  /** Index files written since the last round, still open: the round makes them durable too. */
  private indexFiles: Array<{ fd: number; path: string }> = [];
  private readonly frames = new FrameBuffer();
  private wlen = 0;
  private writeError: unknown = null;
  private openCount = 0;
  private useClock = 0;

  /** The next segment, preallocated in the background. */
  readonly spare: SpareSegment;
  /**
   * Zeros written ahead of appends that grow the active file (0: none). Only where the file system
   * preallocates (the real disk): an in-memory one gains nothing from written blocks.
   */
  private readonly zeroAheadBytes: number;

  constructor(
    readonly fs: FileSystem,
    readonly dir: string,
    readonly limits: StoreLimits,
  ) {
    this.reader = new ChunkReader(fs);
    this.spare = new SpareSegment(fs, dir, limits.segmentBytesMax);
    this.zeroAheadBytes = fs.preallocate === undefined ? 0 : ZERO_AHEAD_BYTES;
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
      if (this.wlen > 0 && this.wlen + frameBytes > WRITE_BUFFER_BYTES) this.flushWrites();
      const crc = this.frames.frame(this.wlen, r);
      this.wlen += frameBytes;
      seg.noteRecord(r.index, seg.bytes, frameBytes, crc);
      seg.runs.append(r.index, r.term);
    }
    if (seg.bytes >= max * SPARE_PREPARE_AT_FILL) this.spare.prepare(seg.bytes / max);
  }

  /** Bytes framed but not yet written (they wait for the next round). */
  get pendingBytes(): number {
    return this.wlen;
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
      const fd = this.handle(seg);
      this.fs.write(fd, this.frames.bytes, 0, this.wlen, seg.bytes - this.wlen);
      if (seg.bytes > seg.fileBytes) this.zeroAhead(seg, fd);
    } catch (error) {
      this.writeError = ioError(error, 'writing', seg.path);
      throw this.writeError;
    }
    this.wlen = 0;
    this.markDirty(seg);
  }

  /**
   * The appends just grew `seg`'s file: writes zeros after them (zeroAheadBytes, within the
   * segment's bound), so the next appends overwrite written blocks and their rounds' fdatasyncs
   * flush data only, with no journal commit for a new file size. The round syncing these appends
   * makes the zeros durable too. Rolled segments get the same from the spare, in the background.
   * Best effort: without the zeros (disk full) the file grows with its appends.
   */
  private zeroAhead(seg: StoredSegment, fd: number): void {
    seg.fileBytes = seg.bytes;
    const end = Math.min(this.limits.segmentBytesMax, seg.bytes + this.zeroAheadBytes);
    if (end <= seg.bytes) return;
    zeros ??= new Uint8Array(ZERO_AHEAD_BYTES);
    try {
      this.fs.write(fd, zeros, 0, end - seg.bytes, seg.bytes);
      seg.fileBytes = end;
    } catch {
      // Zeros written in part are a tail recovery already skips; the next growth tries again.
    }
  }

  /** Takes the segments written since they were last synced (all, or those `which` selects). */
  takeDirty(which: (seg: StoredSegment) => boolean = () => true): StoredSegment[] {
    const taken = this.dirty.filter(which);
    this.dirty = taken.length === this.dirty.length ? [] : this.dirty.filter((seg) => !which(seg));
    for (const seg of taken) seg.dirty = false;
    return taken;
  }

  /**
   * True when the next round is one write and one fdatasync of the active segment, of at most
   * `bytesMax` buffered bytes: no other segment, index file or directory entry waits for a sync,
   * and no zero-ahead (a step of zeros to flush) rides with it.
   */
  isSmallRound(bytesMax: number): boolean {
    if (this.dirDirty || this.indexFiles.length > 0 || this.wlen > bytesMax) return false;
    if (this.zeroAheadBytes > 0 && this.active.bytes > this.active.fileBytes) return false;
    return this.dirty.length === 0 || (this.dirty.length === 1 && this.dirty[0] === this.active);
  }

  /** Takes the index files written since the last round (open handles the caller must close). */
  takeIndexFiles(): Array<{ fd: number; path: string }> {
    const files = this.indexFiles;
    this.indexFiles = [];
    return files;
  }

  /** Closes `seg`'s handle if it was retired while a sync used it and no sync does any more. */
  releaseAfterSync(seg: StoredSegment): void {
    if (seg.retired && seg.syncing === 0) this.closeSegment(seg);
  }

  /** fsyncs the log directory (entries created, renamed or removed become durable). */
  async syncDir(): Promise<void> {
    try {
      await this.fs.syncDir(this.dir);
    } catch (error) {
      throw ioError(error, 'syncing the directory', this.dir);
    }
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
      const offset = locateRecord(this, seg, index);
      const { frameBytes } = readFrameAt(this, seg, offset, index);
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
    seg.fileBytes = seg.bytes;
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
    if (seg.syncing === 0) this.closeSegment(seg);
  }

  /** Unlinks `file`; a missing file is an error only when `mustExist`. */
  unlink(file: string, mustExist: boolean): void {
    try {
      this.fs.unlink(file);
    } catch (error) {
      if (mustExist || errnoCode(error) !== 'ENOENT') throw ioError(error, 'removing', file);
    }
  }

  /**
   * Seals the active segment: its records are final, the zeros left of a preallocated file are
   * cut off (the next round's fdatasync of it makes that durable) and its index file is written.
   */
  seal(seg: StoredSegment): void {
    seg.sealed = true;
    try {
      const fd = this.handle(seg);
      if (this.fs.size(fd) > seg.bytes) {
        this.fs.truncate(fd, seg.bytes);
        this.markDirty(seg);
      }
      seg.fileBytes = seg.bytes;
    } catch (error) {
      throw ioError(error, 'sealing', seg.path);
    }
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

  /** The open handle of `seg` for reading: buffered frames are written first when it is active. */
  fdFor(seg: StoredSegment): number {
    if (seg === this.active && this.wlen > 0) this.flushWrites();
    return this.handle(seg);
  }

  /**
   * The open handle of `seg`, opening it (and closing the least recently used sealed one) when
   * needed. A segment that becomes active again (after a truncation or recovery) may have been
   * closed while sealed: every use of a segment's handle goes through here.
   */
  handle(seg: StoredSegment): number {
    seg.lastUse = ++this.useClock;
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
        if (s.fd < 0 || s === this.active || s.dirty || s.syncing > 0) continue;
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
    const seg = this.makeSegment(firstIndex);
    let fd: number | undefined;
    try {
      fd = this.spare.take(seg.path);
    } catch {
      fd = undefined; // The spare vanished or could not be renamed: create the file instead.
    }
    if (fd === undefined) return this.createSegment(firstIndex);
    seg.fd = fd;
    seg.fileBytes = this.limits.segmentBytesMax;
    this.openCount++;
    this.segments.push(seg);
    this.dirDirty = true;
    this.closeIdle();
    return seg;
  }

  private markDirty(seg: StoredSegment): void {
    if (seg.dirty) return;
    seg.dirty = true;
    this.dirty.push(seg);
  }
}
