import test from 'ava';
import fc from 'fast-check';
import { decodeFrameBody, encodeFrame, FRAME_BYTES_MAX } from '../../lib/transport/codec.js';
import { FrameReader } from '../../lib/transport/frame-reader.js';
import { message, plain } from './arbitraries.js';

test('frames come back whole however the stream is chunked', (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.array(message, { maxLength: 4 }), { minLength: 1, maxLength: 6 }),
      fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 20 }),
      (batches, cuts) => {
        const stream = Buffer.concat(batches.map((batch) => encodeFrame(batch)));
        const reader = new FrameReader();
        const got: unknown[] = [];
        let at = 0;
        for (let i = 0; at < stream.length; i++) {
          const next = Math.min(stream.length, at + cuts[i % cuts.length]);
          for (const body of reader.push(stream.subarray(at, next))) got.push(plain(decodeFrameBody(body)));
          at = next;
        }
        t.deepEqual(got, batches.map(plain));
        t.is(reader.bufferedBytes, 0);
      },
    ),
    { numRuns: 300 },
  );
});

test('a body inside one chunk is a view, not a copy', (t) => {
  const frame = encodeFrame([{ type: 'timeout-now', from: 'a', to: 'b', term: 1 }]);
  const [body] = new FrameReader().push(frame);
  t.is(body.buffer, frame.buffer);
});

test('an oversized length prefix is refused before any body byte is kept', (t) => {
  const reader = new FrameReader();
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(FRAME_BYTES_MAX);
  const error = t.throws(() => reader.push(prefix));
  t.is((error as { code?: string }).code, 'PEER_FRAME_INVALID');
  t.is(reader.bufferedBytes, 0);
});

test('an empty frame is refused', (t) => {
  const error = t.throws(() => new FrameReader().push(Buffer.alloc(4)));
  t.regex(error.message, /empty frame/);
});

test('a partial frame is held until complete', (t) => {
  const frame = encodeFrame([{ type: 'timeout-now', from: 'a', to: 'b', term: 1 }]);
  const reader = new FrameReader();
  t.deepEqual(reader.push(frame.subarray(0, 6)), []);
  t.is(reader.bufferedBytes, 2);
  const bodies = reader.push(frame.subarray(6));
  t.is(bodies.length, 1);
  t.deepEqual(decodeFrameBody(bodies[0]), [{ type: 'timeout-now', from: 'a', to: 'b', term: 1 }]);
});
