import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import test from 'ava';
import pino from 'pino';
import pinoLoki from 'pino-loki';
import snappy from 'snappy';
import winston from 'winston';
import LokiTransport from 'winston-loki';
import { INGEST_ENTRIES_MAX, LOKI_STREAM_LABELS_MAX } from '../../lib/integrations/limits.js';
import { type Cluster, readAll, startNodes, waitForEntries } from './helpers.js';
import { lokiPush, varint } from './proto-writer.js';

// The Loki push endpoint, driven by the third-party Loki clients from npm (winston-loki sends
// snappy-compressed protobuf by default and JSON with json: true; pino-loki sends JSON), and by
// hand-made malformed and hostile pushes.
let cluster: Cluster;
test.before(async () => {
  cluster = await startNodes();
});
test.after.always(async () => {
  await cluster?.close();
});

function push(body: Buffer | string, headers: Record<string, string>, url = cluster.urls.node2) {
  return fetch(`${url}/loki/api/v1/push`, { method: 'POST', headers, body });
}

for (const json of [false, true]) {
  test.serial(
    `winston-loki (${json ? 'JSON' : 'snappy protobuf'}) lines are stored and mapped`,
    async (t) => {
      const run = randomUUID();
      const transport = new LokiTransport({
        host: cluster.urls.node2, // a follower or the leader: either takes the push
        json,
        labels: { app: 'shop', run },
        interval: 0.05,
        gracefulShutdown: false,
        onConnectionError: (error) => t.log('winston-loki error', error),
      });
      const logger = winston.createLogger({ level: 'debug', transports: [transport] });
      const count = 200;
      for (let seq = 0; seq < count; seq++) logger.log(seq % 2 ? 'warn' : 'debug', `loki line ${seq}`);
      await transport.flush();
      await transport.close();
      const entries = await waitForEntries(cluster.urls.node3, `label.run=${run}`, count);
      t.is(entries.length, count);
      for (const entry of entries) {
        const data = entry.original_data;
        const seq = Number(/loki line (\d+)/.exec(data.message)![1]);
        t.is(data.level, seq % 2 ? 'warn' : 'debug');
        t.is(data.source, 'shop', 'the app label names the source');
        t.deepEqual(data.labels, { run });
        t.regex(entry.id, /^loki-[0-9a-f]{40}/);
      }
    },
  );
}

test.serial('pino-loki (JSON, no compression) lines are stored and mapped', async (t) => {
  const run = randomUUID();
  const stream = pinoLoki({
    host: cluster.urls.node1,
    labels: { job: 'api', run },
    batching: { interval: 0.05, maxBufferSize: 10_000 },
  });
  const logger = pino({ level: 'trace' }, stream);
  const count = 150;
  for (let seq = 0; seq < count; seq++)
    logger[seq % 3 === 0 ? 'error' : 'info']({ seq }, `pino-loki line ${seq}`);
  const entries = await waitForEntries(cluster.urls.node1, `label.run=${run}`, count);
  stream.end();
  t.is(entries.length, count);
  for (const entry of entries) {
    const data = entry.original_data;
    const line = JSON.parse(data.message);
    t.is(data.level, line.seq % 3 === 0 ? 'error' : 'info');
    t.is(data.source, 'api', 'the job label names the source');
    t.is(data.labels.run, run);
    t.is(Date.parse(entry.timestamp), line.time, 'timestamp from the nanosecond string');
  }
});

test.serial(
  'gzip JSON pushes work, and a re-sent push (JSON or protobuf) stores nothing twice',
  async (t) => {
    const run = randomUUID();
    const ns = BigInt(Date.now()) * 1_000_000n;
    const body = JSON.stringify({
      streams: [
        {
          stream: { service_name: 'gz', detected_level: 'error', run },
          values: [
            [String(ns), 'one', { trace_id: 'abc' }],
            [String(ns + 1n), 'two'],
            [String(ns + 1n), 'two'],
          ],
        },
      ],
    });
    for (let i = 0; i < 2; i++) {
      const reply = await push(gzipSync(body), {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      });
      t.is(reply.status, 204);
    }
    const proto = snappy.compressSync(lokiPush(`{run="${run}", source="proto"}`, [[ns, 'three']]));
    for (let i = 0; i < 2; i++) {
      t.is((await push(proto, { 'content-type': 'application/x-protobuf' })).status, 204);
    }
    const entries = await readAll(cluster.urls.node1, `label.run=${run}`);
    t.deepEqual(
      entries.map((e) => e.original_data.message),
      ['one', 'two', 'two', 'three'],
      'identical lines within a push stay two entries; the re-sent pushes add nothing',
    );
    t.is(entries[0].original_data.source, 'gz');
    t.is(entries[0].original_data.level, 'error');
    t.deepEqual(entries[0].original_data.structured_metadata, { trace_id: 'abc' });
    t.is(entries[3].original_data.source, 'proto');
  },
);

async function lastIndex(): Promise<number> {
  const res = await fetch(`${cluster.urls.node1}/logs?order=desc&limit=1`);
  const body = (await res.json()) as { entries: Array<{ index: number }> };
  return body.entries[0]?.index ?? 0;
}

test.serial(
  'malformed, oversize and label-bomb pushes get the documented errors and store nothing',
  async (t) => {
    const before = await lastIndex();
    const json = { 'content-type': 'application/json' };
    const protobuf = { 'content-type': 'application/x-protobuf' };
    const ns = String(BigInt(Date.now()) * 1_000_000n);
    const stream = (labels: Record<string, string>, values: unknown[]) =>
      JSON.stringify({ streams: [{ stream: labels, values }] });
    const manyLabels = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`l${i}`, 'v']));
    const cases: Array<[string, Buffer | string, Record<string, string>, number, string, string?]> = [
      ['not JSON', '{"streams": [', json, 400, 'INVALID_JSON'],
      ['streams not an array', '{"streams": {}}', json, 400, 'INVALID_ENTRY', 'streams'],
      [
        'a bad timestamp',
        stream({ a: 'b' }, [['12.5', 'x']]),
        json,
        400,
        'INVALID_ENTRY',
        'streams[0].values[0][0]',
      ],
      [
        'one empty line among good ones',
        stream({ a: 'b' }, [
          [ns, 'good'],
          [ns, ' '],
        ]),
        json,
        400,
        'INVALID_ENTRY',
        'streams[0].values[1].message',
      ],
      [
        '33 labels (over LABELS_MAX)',
        stream(manyLabels(33), [[ns, 'x']]),
        json,
        400,
        'INVALID_ENTRY',
        'streams[0].values[0].labels',
      ],
      [
        'a label bomb',
        stream(manyLabels(LOKI_STREAM_LABELS_MAX + 1), [[ns, 'x']]),
        json,
        400,
        'INVALID_ENTRY',
      ],
      [
        'too many lines',
        stream(
          { a: 'b' },
          Array.from({ length: INGEST_ENTRIES_MAX + 1 }, (_, i) => [ns, `l${i}`]),
        ),
        json,
        413,
        'BATCH_TOO_LARGE',
      ],
      ['an oversize line', stream({ a: 'b' }, [[ns, 'x'.repeat(70_000)]]), json, 413, 'ENTRY_TOO_LARGE'],
      [
        'not snappy',
        Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2]),
        protobuf,
        400,
        'INVALID_BODY',
        'body',
      ],
      [
        'snappy of garbage protobuf',
        snappy.compressSync(Buffer.from([0x0a, 0xff, 0x01])),
        protobuf,
        400,
        'INVALID_BODY',
      ],
      [
        'a bad label set',
        snappy.compressSync(lokiPush('{a="b"', [[1n, 'x']])),
        protobuf,
        400,
        'INVALID_ENTRY',
      ],
      [
        'a snappy bomb (declares 1 GiB)',
        Buffer.from([...varint(2 ** 30), 0x00, 0x41]),
        protobuf,
        413,
        'BODY_TOO_LARGE',
      ],
      [
        'a gzip bomb',
        gzipSync(Buffer.alloc(24 * 1024 * 1024, 0x20)),
        { ...json, 'content-encoding': 'gzip' },
        413,
        'BODY_TOO_LARGE',
      ],
      ['an unknown encoding', '{}', { ...json, 'content-encoding': 'br' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['text/plain', 'hello', { 'content-type': 'text/plain' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [
        'a length past the end',
        snappy.compressSync(Buffer.from([0x0a, 0x05, 0x0a, 0x02, 0x7b, 0x7d])),
        protobuf,
        400,
        'INVALID_BODY',
      ],
    ];
    for (const [what, body, headers, status, code, field] of cases) {
      const reply = await push(body, headers);
      const error = (await reply.json()) as Record<string, unknown>;
      t.is(reply.status, status, `${what}: ${JSON.stringify(error)}`);
      t.is(error.success, false, what);
      t.is(error.code, code, what);
      if (field !== undefined) t.is(error.field, field, what);
    }
    t.is(await lastIndex(), before, 'nothing was stored');
  },
);
