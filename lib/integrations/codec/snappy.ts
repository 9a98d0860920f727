/**
 * Snappy block-format decompression (the format Loki's push protocol uses, without the framing
 * layer). The declared uncompressed length is checked against a bound before the one output
 * buffer is allocated, and every literal and copy is checked against the input and the output
 * written so far, so corrupt or hostile input throws INVALID_BODY instead of reading or writing
 * out of range. Written by hand (see docs/integrations/README.md for why and the measurements).
 */

import { LogClusterError } from '../../errors.js';

/** The error every malformed snappy input becomes. */
function snappyError(why: string): LogClusterError {
  return new LogClusterError('INVALID_BODY', `The request body is not valid snappy data: ${why}`, {
    field: 'body',
  });
}

/** Decompresses one snappy block; refuses a declared length over `outputBytesMax` (413). */
export function snappyDecompress(input: Uint8Array, outputBytesMax: number): Buffer {
  let pos = 0;
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= input.length || shift > 28) throw snappyError('bad length preamble');
    const byte = input[pos++];
    length += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) break;
  }
  if (length > outputBytesMax) {
    throw new LogClusterError(
      'BODY_TOO_LARGE',
      `The decompressed body would be ${length} bytes; at most ${outputBytesMax} are accepted`,
      { limit: outputBytesMax },
    );
  }
  const out = Buffer.allocUnsafe(length);
  let written = 0;
  while (pos < input.length) {
    const tag = input[pos++];
    const kind = tag & 3;
    if (kind === 0) {
      let size = tag >>> 2;
      if (size >= 60) {
        const extra = size - 59;
        if (pos + extra > input.length) throw snappyError('truncated literal length');
        size = 0;
        for (let i = 0; i < extra; i++) size += input[pos + i] * 2 ** (8 * i);
        pos += extra;
      }
      size += 1;
      if (size > input.length - pos) throw snappyError('literal runs past the input');
      if (size > length - written) throw snappyError('literal runs past the declared length');
      out.set(input.subarray(pos, pos + size), written);
      pos += size;
      written += size;
      continue;
    }
    let size: number;
    let offset: number;
    if (kind === 1) {
      if (pos + 1 > input.length) throw snappyError('truncated copy');
      size = 4 + ((tag >>> 2) & 7);
      offset = ((tag >>> 5) << 8) | input[pos++];
    } else if (kind === 2) {
      if (pos + 2 > input.length) throw snappyError('truncated copy');
      size = 1 + (tag >>> 2);
      offset = input[pos] | (input[pos + 1] << 8);
      pos += 2;
    } else {
      if (pos + 4 > input.length) throw snappyError('truncated copy');
      size = 1 + (tag >>> 2);
      offset = (input[pos] | (input[pos + 1] << 8) | (input[pos + 2] << 16)) + input[pos + 3] * 2 ** 24;
      pos += 4;
    }
    if (offset === 0 || offset > written) throw snappyError(`copy offset ${offset} is out of range`);
    if (size > length - written) throw snappyError('copy runs past the declared length');
    if (offset >= size) {
      out.copyWithin(written, written - offset, written - offset + size);
      written += size;
    } else {
      // Overlapping copy: a run that repeats its own last `offset` bytes.
      for (let i = 0; i < size; i++, written++) out[written] = out[written - offset];
    }
  }
  if (written !== length) throw snappyError(`${written} bytes decoded, ${length} declared`);
  return out;
}
