/**
 * The next segment, prepared ahead of need: a file of `segmentBytesMax` written zeros, made
 * durable in the background while appends go on. At a roll it is renamed to the new segment's
 * name, so appends into it are overwrites of allocated blocks, and each group commit's
 * fdatasync flushes data only, with no journal commit for a growing file size (about twice as
 * fast on ext4 here). Best effort: without a ready spare (or without FileSystem.preallocate)
 * a roll creates an empty file that grows by appending.
 *
 * The zeros go to disk in steps of SPARE_STEP_BYTES at most, each durable before the next, paced by
 * the active segment's fill: the log's own fdatasyncs queue behind whatever the disk is
 * flushing, and one 64 MiB flush made them ~10x slower (4-8 ms instead of 0.4-0.9) for the
 * third of a second it took, once per segment; short steps keep each wait short.
 */
import path from 'node:path';
import type { FileHandle, FileSystem } from './file-system.js';

/**
 * Preparation starts once the active segment is this full: a log that never fills a quarter of a
 * segment (a short-lived test node) never writes a spare; a busy one spreads the zeros thin.
 */
export const SPARE_PREPARE_AT_FILL = 0.25;

/** The spare is paced to be complete when the active segment is this full: the rest is margin for large batches and a slow disk. */
export const SPARE_READY_AT_FILL = 0.6;

/**
 * Zeros written and made durable per step (256 KiB): a short flush for the log's fdatasyncs to wait
 * behind. Measured during steps at 256 appenders: 0.6-1.6 ms with 256 KiB, 1.0-4.4 ms with 1 MiB,
 * 1.5-3.7 ms with 4 MiB (0.3-0.6 ms between steps).
 */
export const SPARE_STEP_BYTES = 256 * 1024;

/** Small segments still take this many steps (so tests with tiny segments exercise the pacing). */
export const SPARE_STEPS_MIN = 8;

/** Name of the spare file in the log directory (removed at open when a crash left it). */
export const SPARE_SEGMENT_NAME = 'next-segment.spare';

/** One spare segment file at a time. */
export class SpareSegment {
  readonly path: string;
  private fd: FileHandle = -1;
  /** Bytes of durable zeros in the spare file. */
  private prepared = 0;
  /** Bytes the pace asks for so far. */
  private target = 0;
  private ready = false;
  private stepping: Promise<void> | null = null;
  /** A step failed (disk full, I/O error): no more tries until the next roll. */
  private gaveUp = false;
  private disposed = false;
  private readonly stepBytes: number;

  constructor(
    private readonly fs: FileSystem,
    dir: string,
    private readonly bytes: number,
  ) {
    this.path = path.join(dir, SPARE_SEGMENT_NAME);
    this.stepBytes = Math.min(SPARE_STEP_BYTES, Math.ceil(bytes / SPARE_STEPS_MIN));
  }

  /**
   * Paces the preparation by the active segment's fill (its bytes / segmentBytesMax): from
   * SPARE_PREPARE_AT_FILL on, the spare should hold the same share of its zeros as the segment
   * has of the way to SPARE_READY_AT_FILL. Steps run in the background, one at a time.
   */
  prepare(fill: number): void {
    // Runs on every append once a segment is a quarter full: the common answer must be cheap.
    if (fill < SPARE_PREPARE_AT_FILL || this.ready || this.gaveUp || this.disposed) return;
    const share = (fill - SPARE_PREPARE_AT_FILL) / (SPARE_READY_AT_FILL - SPARE_PREPARE_AT_FILL);
    const target = Math.min(this.bytes, Math.ceil(share * this.bytes));
    if (target <= this.target) return;
    this.target = target;
    if (this.stepping !== null || target <= this.prepared || this.fs.preallocate === undefined) return;
    const stepping = this.step();
    this.stepping = stepping;
    // step() may settle synchronously (a failed open): clear the slot only if it is still its own.
    stepping.finally(() => {
      if (this.stepping === stepping) this.stepping = null;
    });
  }

  /** Writes steps until the spare reaches the target (or is complete, or disposed). */
  private async step(): Promise<void> {
    const preallocate = this.fs.preallocate!;
    try {
      if (this.fd < 0) {
        this.fd = this.fs.open(this.path, 'replace');
        this.prepared = 0;
      }
      while (this.prepared < this.target && !this.disposed) {
        const next = Math.min(this.bytes, this.prepared + this.stepBytes);
        await preallocate.call(this.fs, this.fd, next);
        this.prepared = next;
      }
      if (this.prepared === this.bytes && !this.disposed) this.ready = true;
    } catch {
      // No spare this time (disk full, I/O error): the next roll creates an empty file.
      this.gaveUp = true;
      this.release();
    }
    if (this.disposed) this.release();
  }

  /** Renames the ready spare to `target` and hands over its open handle; undefined when none is ready. */
  take(target: string): FileHandle | undefined {
    if (!this.ready) {
      this.gaveUp = false; // A new segment: try again for the one after it.
      return undefined;
    }
    this.fs.rename(this.path, target);
    const fd = this.fd;
    this.fd = -1;
    this.ready = false;
    this.prepared = 0;
    this.target = 0;
    return fd;
  }

  /** Stops preparing: waits for a step under way, then closes and removes the spare. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await this.stepping;
    this.ready = false;
    this.release();
  }

  private release(): void {
    const fd = this.fd;
    this.fd = -1;
    this.prepared = 0;
    this.target = 0;
    if (fd < 0) return;
    try {
      this.fs.close(fd);
      this.fs.unlink(this.path);
    } catch {
      // Already gone (a crash, or removal raced): nothing to release.
    }
  }
}
