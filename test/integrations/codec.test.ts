import { randomBytes } from 'node:crypto';
import test from 'ava';
import fc from 'fast-check';
import snappy from 'snappy';
import { isLogClusterError } from '../../lib/errors.js';
import { ProtoReader } from '../../lib/integrations/codec/proto-reader.js';
import { snappyDecompress } from '../../lib/integrations/codec/snappy.js';
import { decodeLokiProtobuf } from '../../lib/integrations/loki/decode.js';
import { parseLabelsText } from '../../lib/integrations/loki/labels-text.js';
import { decodeOtlpProtobuf } from '../../lib/integrations/otlp/decode-proto.js';
import { bytesField, lokiPush, message, varint } from './proto-writer.js';

// The hand-written decoders against the reference snappy implementation (the `snappy` package,
// Google's C++ library) and against arbitrary bytes: every input either decodes or throws a
// LogClusterError; nothing else escapes, nothing reads or allocates out of bounds.

test('snappy: what the reference implementation compresses decompresses to the same bytes', (t) => {
  const samples = [
    Buffer.alloc(0),
    Buffer.from('a'),
    Buffer.from('hello hello hello hello hello'),
    randomBytes(100_000),
    Buffer.from('{"level":"info","msg":"GET /api/orders 200"}\n'.repeat(20_000)),
    Buffer.alloc(1_000_000, 7),
  ];
  for (const sample of samples) {
    const compressed = snappy.compressSync(sample);
    t.deepEqual(snappyDecompress(compressed, 16 * 1024 * 1024), sample);
  }
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2_000 }), fc.integer({ min: 1, max: 20 }), (bytes, repeat) => {
      const input = Buffer.concat(Array.from({ length: repeat }, () => Buffer.from(bytes)));
      return snappyDecompress(snappy.compressSync(input), 1 << 24).equals(input);
    }),
    { numRuns: 100 },
  );
});

test('snappy: a declared length over the bound is refused before allocating; corrupt input is INVALID_BODY', (t) => {
  const bomb = Buffer.from([...varint(2 ** 31), 0]);
  t.is((t.throws(() => snappyDecompress(bomb, 1024)) as unknown as { code: string }).code, 'BODY_TOO_LARGE');
  const good = snappy.compressSync(Buffer.from('abcdabcdabcdabcdabcd'));
  for (const corrupt of [
    good.subarray(0, good.length - 1),
    Buffer.from([5, 0x0d, 1, 2]),
    Buffer.from([10, 0x01, 0x05]),
  ]) {
    const error = t.throws(() => snappyDecompress(corrupt, 1024));
    t.is((error as unknown as { code: string }).code, 'INVALID_BODY');
  }
});

test('fuzz: arbitrary bytes never escape the decoders as anything but a LogClusterError', (t) => {
  const decoders: Array<(bytes: Uint8Array) => unknown> = [
    (bytes) => snappyDecompress(bytes, 1 << 20),
    (bytes) => decodeLokiProtobuf(bytes),
    (bytes) => decodeOtlpProtobuf(bytes),
  ];
  const base = lokiPush('{a="b"}', [[1n, 'line']]);
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 300 }),
        // Mutations of a valid message reach deeper than random bytes do.
        fc
          .tuple(fc.integer({ min: 0, max: base.length - 1 }), fc.integer({ min: 0, max: 255 }))
          .map(([at, byte]) => {
            const copy = Buffer.from(base);
            copy[at] = byte;
            return new Uint8Array(copy);
          }),
      ),
      (bytes) => {
        for (const decode of decoders) {
          try {
            decode(bytes);
          } catch (error) {
            if (!isLogClusterError(error)) throw error;
          }
        }
      },
    ),
    { numRuns: 3_000 },
  );
  t.pass();
});

test('protobuf reader: lengths past the end and deep nesting are refused', (t) => {
  const past = message([...varint((1 << 3) | 2), ...varint(1_000_000), 1, 2, 3]);
  t.throws(() => new ProtoReader(past).message(), { message: /runs past/ });
  let nested: number[] = [];
  for (let i = 0; i < 40; i++) nested = bytesField(1, nested);
  let reader = new ProtoReader(Buffer.from(nested));
  const error = t.throws(() => {
    for (;;) {
      reader.tag();
      reader = reader.message();
    }
  });
  t.regex(error!.message, /nested deeper/);
});

test('Loki label sets: escapes, spacing, and refusals', (t) => {
  t.deepEqual(parseLabelsText('{ job="api" ,env="pr\\"od\\n", x="\\u00e9"}', 'l'), [
    ['job', 'api'],
    ['env', 'pr"od\n'],
    ['x', 'é'],
  ]);
  t.deepEqual(parseLabelsText('{}', 'l'), []);
  for (const bad of ['', '{', '{a=b}', '{a="b"', '{1a="b"}', '{a="b"} x', '{a="\\q"}']) {
    t.throws(() => parseLabelsText(bad, 'l'), { code: 'INVALID_ENTRY' } as never, bad);
  }
});
