/**
 * Synchronous reads through one reusable buffer with read-ahead: sequential record reads and
 * scans cost one read syscall per READ_CHUNK_BYTES, and no allocation per record.
 */
import { assert } from '../assert.js';
import type { FileHandle, FileSystem } from './file-system.js';
import { READ_CHUNK_BYTES } from './limits.js';

/** A window onto one file's bytes. Invalidate it whenever a file it may hold is changed or closed. */
export class ChunkReader {
  /** The buffer; valid bytes are those `window` just made available. */
  buf: Buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
  private fd: FileHandle = -1;
  private start = 0;
  private end = 0;

  constructor(private readonly fs: FileSystem) {}

  /**
   * Makes file bytes [offset, offset + n) available in `buf` and returns where they start.
   * `limit` is the file's logical end: read-ahead never goes past it, and the caller guarantees
   * offset + n <= limit. A file shorter than that is an I/O-level inconsistency (throws EIO).
   */
  window(fd: FileHandle, offset: number, n: number, limit: number): number {
    if (fd === this.fd && offset >= this.start && offset + n <= this.end) return offset - this.start;
    assert(offset + n <= limit, 'reads stay within the logical end of a file');
    if (n > this.buf.length) {
      let size = this.buf.length;
      while (size < n) size *= 2;
      this.buf = Buffer.allocUnsafe(size);
    }
    const want = Math.min(this.buf.length, limit - offset);
    let got = 0;
    while (got < want) {
      const r = this.fs.read(fd, this.buf, got, want - got, offset + got);
      if (r === 0) break;
      got += r;
    }
    this.fd = fd;
    this.start = offset;
    this.end = offset + got;
    if (got < n) {
      this.fd = -1;
      throw Object.assign(new Error(`short read: ${got} of ${n} bytes at offset ${offset}`), { code: 'EIO' });
    }
    return 0;
  }

  /** Forgets the buffered bytes (their file was written over, truncated or closed). */
  invalidate(): void {
    this.fd = -1;
  }
}
