/**
 * A tiny protobuf encoder for building test inputs by hand (valid and deliberately broken
 * messages), independent of the decoder under test.
 */

/** A varint's bytes. */
export function varint(value: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
}

/** A length-delimited field (strings, bytes, messages). */
export function bytesField(field: number, value: string | Uint8Array | number[]): number[] {
  const bytes = typeof value === 'string' ? [...Buffer.from(value, 'utf8')] : [...value];
  return [...varint((field << 3) | 2), ...varint(bytes.length), ...bytes];
}

/** A varint field. */
export function varintField(field: number, value: number | bigint): number[] {
  return [...varint(field << 3), ...varint(value)];
}

/** A fixed64 field. */
export function fixed64Field(field: number, value: bigint): number[] {
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64LE(value);
  return [...varint((field << 3) | 1), ...buf];
}

/** Concatenates parts into a Buffer. */
export function message(...parts: number[][]): Buffer {
  return Buffer.from(parts.flat());
}

/** Loki logproto.PushRequest with one stream. */
export function lokiPush(labels: string, lines: Array<[bigint, string]>): Buffer {
  const entries = lines.map(([ns, line]) =>
    bytesField(
      2,
      message(
        bytesField(1, message(varintField(1, ns / 1_000_000_000n), varintField(2, ns % 1_000_000_000n))),
        bytesField(2, line),
      ),
    ),
  );
  return message(bytesField(1, message(bytesField(1, labels), ...entries)));
}
