/**
 * Syslog over TCP (RFC 6587): each frame is either octet-counted (`<length> <message>`, what
 * RFC 5425 and rsyslog's octet-counted framing send) or ends at a newline (non-transparent
 * framing, the traditional default); the first byte of each frame tells which. A frame may not
 * exceed SYSLOG_FRAME_BYTES_MAX: an oversized octet count is a protocol error (the connection is
 * closed), an overlong line is skipped up to its newline and counted.
 */

import { SYSLOG_FRAME_BYTES_MAX } from '../limits.js';

/** Why a connection cannot go on. */
export class SyslogFramingError extends Error {}

const EMPTY = Buffer.alloc(0);
const SP = 0x20;
const LF = 0x0a;

/** Splits one connection's bytes into frames. */
export class SyslogFramer {
  #buffer: Buffer = EMPTY;
  #skipping = false;
  /** Lines skipped because they exceeded the bound. */
  skipped = 0;

  constructor(private readonly frameBytesMax = SYSLOG_FRAME_BYTES_MAX) {}

  /** The complete frames `chunk` finishes; throws SyslogFramingError for a bad octet count. */
  push(chunk: Buffer): Buffer[] {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const frames: Buffer[] = [];
    let at = 0;
    const buf = this.#buffer;
    while (at < buf.length) {
      if (this.#skipping) {
        const lf = buf.indexOf(LF, at);
        if (lf < 0) {
          at = buf.length;
          break;
        }
        this.#skipping = false;
        at = lf + 1;
        continue;
      }
      const first = buf[at];
      if (first >= 0x31 && first <= 0x39) {
        const next = this.#octetCounted(buf, at, frames);
        if (next < 0) break;
        at = next;
        continue;
      }
      const lf = buf.indexOf(LF, at);
      if (lf < 0) {
        if (buf.length - at > this.frameBytesMax) {
          this.#skipping = true;
          this.skipped++;
          at = buf.length;
        }
        break;
      }
      let end = lf;
      if (end > at && buf[end - 1] === 0x0d) end--;
      if (end - at > this.frameBytesMax) this.skipped++;
      else if (end > at) frames.push(buf.subarray(at, end));
      at = lf + 1;
    }
    this.#buffer = at >= buf.length ? EMPTY : Buffer.from(buf.subarray(at));
    return frames;
  }

  /** What is left when the peer closes: a last line sent without its newline. */
  end(): Buffer[] {
    const rest = this.#buffer;
    this.#buffer = EMPTY;
    return rest.length > 0 && !this.#skipping && rest[0] === 0x3c ? [rest] : [];
  }

  /** Reads `<len> <msg>` at `at`; returns the next offset, or -1 when more bytes are needed. */
  #octetCounted(buf: Buffer, at: number, frames: Buffer[]): number {
    const digitsMax = String(this.frameBytesMax).length;
    let i = at;
    let length = 0;
    while (i < buf.length && buf[i] >= 0x30 && buf[i] <= 0x39) {
      length = length * 10 + (buf[i] - 0x30);
      if (++i - at > digitsMax || length > this.frameBytesMax) {
        throw new SyslogFramingError(`octet count over ${this.frameBytesMax} bytes`);
      }
    }
    if (i >= buf.length) return -1;
    if (buf[i] !== SP) throw new SyslogFramingError('octet count not followed by a space');
    if (buf.length - (i + 1) < length) return -1;
    frames.push(buf.subarray(i + 1, i + 1 + length));
    return i + 1 + length;
  }
}
