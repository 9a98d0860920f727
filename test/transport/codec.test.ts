import test from 'ava';
import fc from 'fast-check';
import type { Message } from '../../lib/consensus/types.js';
import { isLogClusterError } from '../../lib/errors.js';
import {
  decodeFrame,
  decodeFrameBody,
  encodedMessageBytes,
  encodeFrame,
  FRAME_BYTES_MAX,
  FRAME_HEADER_BYTES,
  FRAME_OVERHEAD_BYTES,
  PEER_PROTOCOL_VERSION,
} from '../../lib/transport/codec.js';
import { message, messageByType, plain } from './arbitraries.js';

/** Decodes, accepting only success or PEER_FRAME_INVALID; anything else fails the property. */
function decodesOrRefuses(decode: () => unknown): boolean {
  try {
    decode();
    return true;
  } catch (error) {
    if (isLogClusterError(error) && error.code === 'PEER_FRAME_INVALID') return true;
    throw error;
  }
}

for (const [name, arbitrary] of Object.entries(messageByType)) {
  test(`round trip: ${name}`, (t) => {
    fc.assert(
      fc.property(fc.array(arbitrary, { minLength: 1, maxLength: 5 }), (messages) => {
        t.deepEqual(plain(decodeFrame(encodeFrame(messages))), plain(messages));
      }),
      { numRuns: 200 },
    );
  });
}

test('round trip: mixed batches, and encodedMessageBytes bounds the frame size', (t) => {
  fc.assert(
    fc.property(fc.array(message, { maxLength: 30 }), (messages) => {
      const frame = encodeFrame(messages);
      t.deepEqual(plain(decodeFrame(frame)), plain(messages));
      const bound = messages.reduce((sum, m) => sum + encodedMessageBytes(m), FRAME_OVERHEAD_BYTES);
      t.true(frame.length <= bound, `${frame.length} > ${bound}`);
    }),
    { numRuns: 300 },
  );
});

test('the frame starts with its body length and the protocol version', (t) => {
  const frame = encodeFrame([{ type: 'timeout-now', from: 'node1', to: 'node2', term: 3 }]);
  t.is(frame.readUInt32BE(0), frame.length - FRAME_HEADER_BYTES);
  t.is(frame[FRAME_HEADER_BYTES], PEER_PROTOCOL_VERSION);
  // version, 2 ids (count + "node1" + "node2"), 1 message of type+refs+term: compact.
  t.is(frame.length, 4 + 1 + 1 + 6 + 6 + 1 + 4);
});

test('entry data is a zero-copy view into the frame', (t) => {
  const m: Message = {
    type: 'append',
    from: 'node1',
    to: 'node2',
    term: 1,
    prevIndex: 0,
    prevTerm: 0,
    commit: 0,
    entries: [{ index: 1, term: 1, type: 'normal', data: new Uint8Array([1, 2, 3]) }],
  };
  const frame = encodeFrame([m]);
  const [decoded] = decodeFrame(frame);
  t.is(decoded.type, 'append');
  if (decoded.type !== 'append') return;
  t.is(decoded.entries[0].data.buffer, frame.buffer);
  t.deepEqual([...decoded.entries[0].data], [1, 2, 3]);
});

test('fuzz: random bytes decode or throw PEER_FRAME_INVALID, nothing else', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      t.true(decodesOrRefuses(() => decodeFrameBody(bytes)));
      t.true(decodesOrRefuses(() => decodeFrame(bytes)));
      const versioned = new Uint8Array([PEER_PROTOCOL_VERSION, ...bytes]);
      t.true(decodesOrRefuses(() => decodeFrameBody(versioned)));
    }),
    { numRuns: 3000 },
  );
});

test('fuzz: mutated valid frames decode or throw PEER_FRAME_INVALID', (t) => {
  const mutation = fc.record({
    at: fc.nat(),
    byte: fc.integer({ min: 0, max: 255 }),
    cut: fc.nat(),
    extra: fc.uint8Array({ maxLength: 4 }),
    kind: fc.constantFrom('flip', 'truncate', 'extend', 'flip-and-truncate'),
  });
  fc.assert(
    fc.property(fc.array(message, { minLength: 1, maxLength: 6 }), mutation, (messages, mut) => {
      const body = encodeFrame(messages).subarray(FRAME_HEADER_BYTES);
      let bytes: Uint8Array = Uint8Array.from(body);
      if (mut.kind === 'flip' || mut.kind === 'flip-and-truncate')
        bytes[mut.at % bytes.length] ^= mut.byte || 1;
      if (mut.kind === 'truncate' || mut.kind === 'flip-and-truncate')
        bytes = bytes.subarray(0, mut.cut % bytes.length);
      if (mut.kind === 'extend') bytes = new Uint8Array([...bytes, ...mut.extra, 0]);
      t.true(decodesOrRefuses(() => decodeFrameBody(bytes)));
    }),
    { numRuns: 3000 },
  );
});

test('every truncation of a valid frame is refused', (t) => {
  const messages = fc.sample(fc.array(message, { minLength: 3, maxLength: 6 }), { numRuns: 1, seed: 7 })[0];
  const body = encodeFrame(messages).subarray(FRAME_HEADER_BYTES);
  for (let length = 0; length < body.length; length++) {
    const error = t.throws(() => decodeFrameBody(body.subarray(0, length)));
    t.is((error as { code?: string }).code, 'PEER_FRAME_INVALID', `truncated to ${length}`);
  }
});

test('hostile counts and lengths are refused without allocating', (t) => {
  const huge = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]; // ~2^49 as a varint
  for (const body of [
    [PEER_PROTOCOL_VERSION, ...huge], // id count
    [PEER_PROTOCOL_VERSION, 0, ...huge], // message count
    [PEER_PROTOCOL_VERSION, 1, ...huge], // id string length
    [PEER_PROTOCOL_VERSION, 0, 1, 5, 0, 0, 0, 0, 0, 0, ...huge], // entry count (refs out of range anyway)
    [PEER_PROTOCOL_VERSION, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // varint too long
    [PEER_PROTOCOL_VERSION + 1, 0, 0], // another version
    [PEER_PROTOCOL_VERSION, 0, 0, 0], // trailing byte
  ]) {
    const error = t.throws(() => decodeFrameBody(Uint8Array.from(body)));
    t.is((error as { code?: string }).code, 'PEER_FRAME_INVALID');
  }
  const oversized = t.throws(() => decodeFrameBody(new Uint8Array(FRAME_BYTES_MAX)));
  t.regex(oversized.message, /FRAME_BYTES_MAX/);
});

test('a message from one frame can not reference another frame node id', (t) => {
  // version, 1 id "a", 1 message: timeout-now (10), from ref 0, to ref 1 (out of range), term 0
  const body = Uint8Array.from([PEER_PROTOCOL_VERSION, 1, 1, 0x61, 1, 10, 0, 1, 0]);
  const error = t.throws(() => decodeFrameBody(body));
  t.regex(error.message, /node reference out of range/);
});

test('an empty batch is a valid (keepalive) frame', (t) => {
  t.deepEqual(decodeFrame(encodeFrame([])), []);
});
