/**
 * Measures the hand-written Loki decoders (snappy + protobuf wire reader) against the standard
 * libraries a node could use instead: the `snappy` package (Google's C++ snappy via N-API) and
 * protobufjs 7 (with winston-loki's generated static logproto code). docs/integrations/README.md
 * records the numbers. Run: npx tsx test/integrations/decode-bench.ts
 */
import { createRequire } from 'node:module';
import snappy from 'snappy';
import { snappyDecompress } from '../../lib/integrations/codec/snappy.js';
import { decodeLokiProtobuf } from '../../lib/integrations/loki/decode.js';
import { lokiPush } from './proto-writer.js';

const require = createRequire(import.meta.url);
const { logproto } = require('winston-loki/src/proto/index.js');

const lines: Array<[bigint, string]> = Array.from({ length: 1_000 }, (_, i) => [
  BigInt(Date.now()) * 1_000_000n + BigInt(i),
  `{"level":30,"time":${Date.now()},"pid":4242,"hostname":"web-1","reqId":"req-${i}","msg":"GET /api/orders/${i} 200 in ${i % 97} ms"}`,
]);
const raw = lokiPush('{job="api", env="prod", level="info"}', lines);
const compressed = snappy.compressSync(raw);

function bench(name: string, fn: () => unknown): void {
  for (let i = 0; i < 50; i++) fn();
  const rounds = 500;
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) fn();
  const us = Number(process.hrtime.bigint() - start) / 1_000 / rounds;
  console.log(
    `${name.padEnd(44)} ${us.toFixed(0).padStart(6)} µs per push (${(((raw.length / us) * 1e6) / 2 ** 20).toFixed(0)} MiB/s)`,
  );
}

console.log(
  `push of ${lines.length} lines: ${raw.length} bytes, ${compressed.length} snappy-compressed; node ${process.version}`,
);
bench('snappy: hand-written', () => snappyDecompress(compressed, 1 << 24));
bench('snappy: snappy package (native)', () => snappy.uncompressSync(compressed));
bench('protobuf: hand-written (to LokiStream)', () => decodeLokiProtobuf(raw));
bench('protobuf: protobufjs static code', () => logproto.PushRequest.decode(raw));
bench('both: hand-written', () => decodeLokiProtobuf(snappyDecompress(compressed, 1 << 24)));
bench('both: native snappy + protobufjs', () =>
  logproto.PushRequest.decode(snappy.uncompressSync(compressed)),
);
