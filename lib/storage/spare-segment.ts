/**
 * The next segment, prepared ahead of need: a file of `segmentBytesMax` written zeros, made
 * durable in the background while appends go on (from the time the active segment is half full). At a roll it is renamed to the new segment's
 * name, so appends into it are overwrites of allocated blocks, and each group commit's
 * fdatasync flushes data only, with no journal commit for a growing file size (about twice as
 * fast on ext4 here). Best effort: without a ready spare (or without FileSystem.preallocate)
 * a roll creates an empty file that grows by appending.
 */
import path from 'node:path';
import type { FileHandle, FileSystem } from './file-system.js';

/**
 * The spare is prepared once the active segment is this full: a log that never fills a segment
 * (a short-lived test node) never writes one, and a busy log has half a segment's time to get it.
 */
export const SPARE_PREPARE_AT_FILL = 0.5;

/** Name of the spare file in the log directory (removed at open when a crash left it). */
export const SPARE_SEGMENT_NAME = 'next-segment.spare';

/** One spare segment file at a time. */
export class SpareSegment {
  readonly path: string;
  private fd: FileHandle = -1;
  private ready = false;
  private preparing: Promise<void> | null = null;
  private disposed = false;

  constructor(
    private readonly fs: FileSystem,
    dir: string,
    private readonly bytes: number,
  ) {
    this.path = path.join(dir, SPARE_SEGMENT_NAME);
  }

  /** Starts preparing a spare in the background unless one is ready or on its way. */
  prepare(): void {
    // Runs on every append into the second half of a segment: no bind (an allocation) until needed.
    const preallocate = this.fs.preallocate;
    if (preallocate === undefined || this.ready || this.preparing !== null || this.disposed) return;
    this.preparing = (async () => {
      let fd: FileHandle = -1;
      try {
        fd = this.fs.open(this.path, 'replace');
        await preallocate.call(this.fs, fd, this.bytes);
        if (this.disposed) throw new Error('disposed while preparing');
        this.fd = fd;
        this.ready = true;
      } catch {
        // No spare this time (disk full, I/O error, closing): the next roll creates an empty file.
        if (fd >= 0) this.release(fd);
      } finally {
        this.preparing = null;
      }
    })();
  }

  /** Renames the ready spare to `target` and hands over its open handle; undefined when none is ready. */
  take(target: string): FileHandle | undefined {
    if (!this.ready) return undefined;
    this.fs.rename(this.path, target);
    const fd = this.fd;
    this.fd = -1;
    this.ready = false;
    return fd;
  }

  /** Stops preparing: waits for a preparation under way, then closes and removes the spare. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await this.preparing;
    if (this.ready) {
      this.ready = false;
      this.release(this.fd);
      this.fd = -1;
    }
  }

  private release(fd: FileHandle): void {
    try {
      this.fs.close(fd);
      this.fs.unlink(this.path);
    } catch {
      // Already gone (a crash, or removal raced): nothing to release.
    }
  }
}
