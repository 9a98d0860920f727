/**
 * A defensive reader of the protobuf wire format, for the few message types the ingestion
 * endpoints decode (Loki PushRequest, OTLP ExportLogsServiceRequest). Every length is checked
 * against the bytes that remain before anything is sliced, nested messages are bounded by
 * PROTOBUF_DEPTH_MAX, and sub-messages are views of the one input buffer (no copies), so no
 * attacker-chosen number ever sizes an allocation. Any inconsistency throws INVALID_BODY.
 */

import { LogClusterError } from '../../errors.js';
import { PROTOBUF_DEPTH_MAX } from '../limits.js';

/** Wire types (the low 3 bits of a tag). */
export const WIRE = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

/** The error every malformed protobuf input becomes: 400, naming what and where. */
export function protobufError(why: string, offset?: number): LogClusterError {
  const at = offset === undefined ? '' : ` at byte ${offset}`;
  return new LogClusterError('INVALID_BODY', `The request body is not valid protobuf: ${why}${at}`, {
    field: 'body',
  });
}

/** Reads fields in order from `bytes[start, end)`. */
export class ProtoReader {
  #pos: number;
  readonly #start: number;

  private readonly bytes: Buffer;

  constructor(
    bytes: Uint8Array,
    start = 0,
    private readonly end = bytes.length,
    /** How many messages enclose this one (0: the request itself). */
    readonly depth = 0,
  ) {
    this.bytes = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    this.#pos = start;
    this.#start = start;
  }

  /** This message's encoded bytes (a view): stable content to hash for idempotency ids. */
  get raw(): Uint8Array {
    return this.bytes.subarray(this.#start, this.end);
  }

  /** True when every field has been read. */
  get done(): boolean {
    return this.#pos >= this.end;
  }

  /** The next tag as `field * 8 + wireType`; field numbers above 2^29 are refused. */
  tag(): number {
    const at = this.#pos;
    const tag = this.varint();
    if (tag < 8 || tag > 0xffffffff) throw protobufError(`invalid tag ${tag}`, at);
    return tag;
  }

  /** A varint as a number: exact up to 2^53; larger (int64) values lose low bits. */
  varint(): number {
    let result = 0;
    for (let shift = 0, i = 0; i < 10; i++, shift += 7) {
      if (this.#pos >= this.end) throw protobufError('truncated varint', this.#pos);
      const byte = this.bytes[this.#pos++];
      result += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return result;
    }
    throw protobufError('varint longer than 10 bytes', this.#pos);
  }

  /** A varint as a signed 64-bit integer (int64 fields: negative values use all 10 bytes). */
  int64(): bigint {
    // Fast path: values below 2^49 (every timestamp in seconds or nanos) without BigInt arithmetic.
    const at = this.#pos;
    let small = 0;
    for (let shift = 0; shift < 49 && this.#pos < this.end; shift += 7) {
      const byte = this.bytes[this.#pos++];
      small += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return BigInt(small);
    }
    this.#pos = at;
    let result = 0n;
    for (let shift = 0n, i = 0; i < 10; i++, shift += 7n) {
      if (this.#pos >= this.end) throw protobufError('truncated varint', this.#pos);
      const byte = this.bytes[this.#pos++];
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return BigInt.asIntN(64, result);
    }
    throw protobufError('varint longer than 10 bytes', this.#pos);
  }

  /** A fixed64 field, unsigned (OTLP's time_unix_nano). */
  fixed64(): bigint {
    const at = this.#need(8);
    return new DataView(this.bytes.buffer, this.bytes.byteOffset + at, 8).getBigUint64(0, true);
  }

  /** A double field. */
  double(): number {
    const at = this.#need(8);
    return new DataView(this.bytes.buffer, this.bytes.byteOffset + at, 8).getFloat64(0, true);
  }

  /** A fixed32 field, unsigned. */
  fixed32(): number {
    const at = this.#need(4);
    return new DataView(this.bytes.buffer, this.bytes.byteOffset + at, 4).getUint32(0, true);
  }

  /** A length-delimited field's bytes: a view, not a copy. */
  bytesField(): Uint8Array {
    const length = this.#length();
    const at = this.#need(length);
    return this.bytes.subarray(at, at + length);
  }

  /** A string field (invalid UTF-8 sequences become U+FFFD, as most receivers do). */
  string(): string {
    const length = this.#length();
    const at = this.#need(length);
    return this.bytes.toString('utf8', at, at + length);
  }

  /** A nested message's reader; refuses nesting deeper than PROTOBUF_DEPTH_MAX. */
  message(): ProtoReader {
    if (this.depth + 1 > PROTOBUF_DEPTH_MAX) {
      throw protobufError(`messages nested deeper than ${PROTOBUF_DEPTH_MAX}`, this.#pos);
    }
    const length = this.#length();
    const at = this.#need(length);
    return new ProtoReader(this.bytes, at, at + length, this.depth + 1);
  }

  /**
   * The readers of every occurrence of the repeated message field `field`, in order; every other
   * field is skipped (what a top-level request of one repeated field needs).
   */
  *repeatedMessages(field: number): Generator<ProtoReader> {
    while (!this.done) {
      const tag = this.tag();
      if (tag >>> 3 !== field) {
        this.skip(tag);
        continue;
      }
      this.expect(tag, WIRE.bytes);
      yield this.message();
    }
  }

  /** Skips a field of an unknown number (forward compatibility), by its wire type. */
  skip(tag: number): void {
    const wire = tag & 7;
    if (wire === WIRE.varint) this.varint();
    else if (wire === WIRE.fixed64) this.#need(8);
    else if (wire === WIRE.bytes) this.#need(this.#length());
    else if (wire === WIRE.fixed32) this.#need(4);
    else throw protobufError(`unsupported wire type ${wire}`, this.#pos);
  }

  /** Checks that a field has the wire type its schema says; a mismatch is malformed input. */
  expect(tag: number, wire: number): void {
    if ((tag & 7) !== wire) throw protobufError(`field ${tag >>> 3} has wire type ${tag & 7}`, this.#pos);
  }

  #length(): number {
    const at = this.#pos;
    const length = this.varint();
    if (length > this.end - this.#pos) throw protobufError(`length ${length} runs past the message`, at);
    return length;
  }

  /** Consumes `count` bytes; returns where they start. */
  #need(count: number): number {
    if (count > this.end - this.#pos) throw protobufError('truncated field', this.#pos);
    const at = this.#pos;
    this.#pos += count;
    return at;
  }
}
