/**
 * The byte layout of one record in a segment file (all integers little-endian):
 *
 *   offset 0  u32 payload length
 *   offset 4  u32 CRC32C of bytes [0, 4) followed by bytes [8, 25 + length)
 *   offset 8  u64 index
 *   offset 16 u64 term
 *   offset 24 u8  type
 *   offset 25 payload
 *
 * The CRC covers everything but itself, the length included, so a damaged length is caught too.
 */
import { crc32c } from './crc32c.js';
import { RECORD_HEADER_BYTES } from './limits.js';

const TWO_32 = 0x1_0000_0000;

/** Reads the u64 at `pos` as a number (exact below 2^53, which every index and term is). */
export function readU64(buf: Uint8Array, pos: number): number {
  return readU32(buf, pos) + readU32(buf, pos + 4) * TWO_32;
}

/** Reads the u32 at `pos`. */
export function readU32(buf: Uint8Array, pos: number): number {
  return (buf[pos] | (buf[pos + 1] << 8) | (buf[pos + 2] << 16) | (buf[pos + 3] << 24)) >>> 0;
}

/** Writes `value` (an unsigned 32-bit integer) at `pos`. */
export function writeU32(buf: Uint8Array, pos: number, value: number): void {
  buf[pos] = value;
  buf[pos + 1] = value >>> 8;
  buf[pos + 2] = value >>> 16;
  buf[pos + 3] = value >>> 24;
}

/** Writes `value` (a non-negative safe integer) as a u64 at `pos`. */
export function writeU64(buf: Uint8Array, pos: number, value: number): void {
  writeU32(buf, pos, value >>> 0);
  writeU32(buf, pos + 4, Math.floor(value / TWO_32));
}

/** The checksum a frame at `pos` with payload `length` must carry. */
export function frameCrc(buf: Uint8Array, pos: number, length: number): number {
  return crc32c(buf, pos + 8, pos + RECORD_HEADER_BYTES + length, crc32c(buf, pos, pos + 4));
}

/**
 * Frames one record into `buf` at `pos` (the caller made room for RECORD_HEADER_BYTES +
 * payload.length bytes). Returns the CRC written.
 */
export function encodeRecord(
  buf: Uint8Array,
  pos: number,
  index: number,
  term: number,
  type: number,
  payload: Uint8Array,
): number {
  const length = payload.length;
  writeU32(buf, pos, length);
  writeU64(buf, pos + 8, index);
  writeU64(buf, pos + 16, term);
  buf[pos + 24] = type;
  buf.set(payload, pos + RECORD_HEADER_BYTES);
  const crc = frameCrc(buf, pos, length);
  writeU32(buf, pos + 4, crc);
  return crc;
}

/** Payload length of the frame at `pos`. */
export function frameLength(buf: Uint8Array, pos: number): number {
  return readU32(buf, pos);
}

/** Stored CRC of the frame at `pos`. */
export function frameStoredCrc(buf: Uint8Array, pos: number): number {
  return readU32(buf, pos + 4);
}

/** Index of the frame at `pos`. */
export function frameIndex(buf: Uint8Array, pos: number): number {
  return readU64(buf, pos + 8);
}

/** Term of the frame at `pos`. */
export function frameTerm(buf: Uint8Array, pos: number): number {
  return readU64(buf, pos + 16);
}

/** Type byte of the frame at `pos`. */
export function frameType(buf: Uint8Array, pos: number): number {
  return buf[pos + 24];
}
