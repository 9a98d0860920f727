/**
 * The primitives of the peer wire format (docs/transport.md): bounds, varints, zigzag integers,
 * length-prefixed strings and bytes, and a Writer/Reader pair. The Reader trusts nothing: every
 * length is checked against the bytes actually present before use.
 */
import { assert } from '../assert.js';
import { LogClusterError } from '../errors.js';

/**
 * The peer protocol version, sent in the upgrade handshake and as the first byte of every frame
 * body. Bump it on any change to the layout; nodes refuse peers that speak another version.
 */
export const PEER_PROTOCOL_VERSION = 1;

/**
 * The largest frame (4-byte length prefix included) a node sends or accepts. It bounds the memory
 * one peer connection can pin; it must exceed the largest single message (an append batch the
 * core caps by bytes, or a snapshot of the idempotency window), and 16 MiB leaves ample room.
 */
export const FRAME_BYTES_MAX = 16 * 1024 * 1024;

/** Bytes of the big-endian length prefix in front of every frame body. */
export const FRAME_HEADER_BYTES = 4;

/**
 * Longest string (node id, read context) the codec carries. Ids and contexts are short; the bound
 * keeps a hostile frame from making the receiver build huge strings.
 */
export const PEER_STRING_BYTES_MAX = 1024;

/**
 * Largest magnitude of an integer on the wire (2^52 - 1): zigzag-encoded it stays a safe integer,
 * and terms and indexes never come near it.
 */
export const WIRE_INTEGER_MAX = 2 ** 52 - 1;

/** The error every decoding failure becomes. The reason names what was wrong, never the bytes. */
export function frameInvalid(reason: string): LogClusterError {
  return new LogClusterError('PEER_FRAME_INVALID', `The peer frame is malformed: ${reason}`);
}

/** Bytes of `value` as an unsigned LEB128 varint. */
export function uintBytes(value: number): number {
  let bytes = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    bytes++;
  }
  return bytes;
}

/** The zigzag mapping of a signed wire integer (asserts it is in range: a bug otherwise). */
export function zigzag(value: number): number {
  assert(
    Number.isInteger(value) && Math.abs(value) <= WIRE_INTEGER_MAX,
    `wire integer out of range: ${value}`,
  );
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

/** Bytes of a signed wire integer. */
export function intBytes(value: number): number {
  return uintBytes(zigzag(value));
}

/** Bytes of a length-prefixed UTF-8 string (asserts PEER_STRING_BYTES_MAX). */
export function stringBytes(value: string): number {
  const length = Buffer.byteLength(value, 'utf8');
  assert(length <= PEER_STRING_BYTES_MAX, `peer string of ${length} bytes exceeds PEER_STRING_BYTES_MAX`);
  return uintBytes(length) + length;
}

/** Bytes of a length-prefixed byte string. */
export function bytesBytes(data: Uint8Array): number {
  return uintBytes(data.byteLength) + data.byteLength;
}

/** Writes wire primitives into a buffer sized exactly beforehand. */
export class Writer {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  u8(value: number): void {
    this.buf[this.pos++] = value;
  }

  uint(value: number): void {
    while (value >= 0x80) {
      this.buf[this.pos++] = (value % 128) | 0x80;
      value = Math.floor(value / 128);
    }
    this.buf[this.pos++] = value;
  }

  int(value: number): void {
    this.uint(zigzag(value));
  }

  bool(value: boolean): void {
    this.buf[this.pos++] = value ? 1 : 0;
  }

  string(value: string): void {
    const length = Buffer.byteLength(value, 'utf8');
    this.uint(length);
    this.pos += this.buf.write(value, this.pos, length, 'utf8');
  }

  bytes(data: Uint8Array): void {
    this.uint(data.byteLength);
    this.buf.set(data, this.pos);
    this.pos += data.byteLength;
  }
}

/** Reads wire primitives, bounds-checking every read; any violation throws PEER_FRAME_INVALID. */
export class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  u8(): number {
    if (this.pos >= this.buf.length) throw frameInvalid('truncated');
    return this.buf[this.pos++];
  }

  uint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const byte = this.u8();
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (result > Number.MAX_SAFE_INTEGER) throw frameInvalid('integer out of range');
        return result;
      }
      scale *= 128;
    }
    throw frameInvalid('integer too long');
  }

  int(): number {
    const raw = this.uint();
    const value = raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
    if (Math.abs(value) > WIRE_INTEGER_MAX) throw frameInvalid('integer out of range');
    return value;
  }

  /** A count of items that each take at least `minBytes`: bounded by what the frame still holds. */
  count(minBytes: number): number {
    const n = this.uint();
    if (n * minBytes > this.remaining) throw frameInvalid('count exceeds the frame');
    return n;
  }

  bool(): boolean {
    const byte = this.u8();
    if (byte > 1) throw frameInvalid('boolean is neither 0 nor 1');
    return byte === 1;
  }

  string(): string {
    const length = this.uint();
    if (length > PEER_STRING_BYTES_MAX) throw frameInvalid('string too long');
    if (length > this.remaining) throw frameInvalid('truncated string');
    const value = this.buf.toString('utf8', this.pos, this.pos + length);
    this.pos += length;
    return value;
  }

  bytes(): Uint8Array {
    const length = this.uint();
    if (length > this.remaining) throw frameInvalid('truncated data');
    const view = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return view;
  }
}
