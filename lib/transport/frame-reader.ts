/**
 * Cuts a byte stream (socket chunks of any size) into frame bodies. It buffers at most one frame
 * plus the chunk that completes it, and refuses a length prefix over FRAME_BYTES_MAX before any of
 * that frame's bytes are kept, so a hostile peer cannot make it allocate from a claimed length.
 */
import { FRAME_BYTES_MAX, FRAME_HEADER_BYTES, frameInvalid } from './codec.js';

/** Incremental frame splitter; one per inbound connection. */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Body length of the frame being assembled, or -1 while its prefix is still incomplete. */
  private expected = -1;

  /** Bytes held now (for tests and bounds checks). */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /**
   * Appends `chunk` and returns every frame body it completes, in order. A body is a view into the
   * chunk when it fits in one (zero-copy), otherwise one exact-size copy. Throws
   * PEER_FRAME_INVALID when a prefix announces an empty or oversized frame; the connection is
   * then unusable.
   */
  push(chunk: Buffer): Buffer[] {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const bodies: Buffer[] = [];
    for (;;) {
      if (this.expected < 0) {
        if (this.buffered < FRAME_HEADER_BYTES) break;
        const length = this.take(FRAME_HEADER_BYTES).readUInt32BE(0);
        if (length === 0) throw frameInvalid('empty frame');
        if (length > FRAME_BYTES_MAX - FRAME_HEADER_BYTES)
          throw frameInvalid('frame exceeds FRAME_BYTES_MAX');
        this.expected = length;
      }
      if (this.buffered < this.expected) break;
      bodies.push(this.take(this.expected));
      this.expected = -1;
    }
    return bodies;
  }

  private take(n: number): Buffer {
    const first = this.chunks[0];
    this.buffered -= n;
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const head = this.chunks[0];
      const part = Math.min(head.length, n - filled);
      head.copy(out, filled, 0, part);
      filled += part;
      if (part === head.length) this.chunks.shift();
      else this.chunks[0] = head.subarray(part);
    }
    return out;
  }
}
