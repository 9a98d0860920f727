import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter as JsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import test from 'ava';
import { INGEST_ENTRIES_MAX, OTLP_ATTRIBUTES_MAX } from '../../lib/integrations/limits.js';
import { LABELS_MAX } from '../../lib/node/entries/limits.js';
import { type Cluster, readAll, startNodes } from './helpers.js';
import { bytesField, fixed64Field, message, varintField } from './proto-writer.js';

// POST /v1/logs driven by the OpenTelemetry JS SDK (sdk-logs + the OTLP/HTTP JSON and protobuf
// exporters, with and without gzip), and by hand-made malformed and hostile exports.
let cluster: Cluster;
test.before(async () => {
  cluster = await startNodes();
});
test.after.always(async () => {
  await cluster?.close();
});

const exporters = [
  ['JSON', JsonExporter, 'none'],
  ['protobuf', ProtoExporter, 'none'],
  ['protobuf + gzip', ProtoExporter, 'gzip'],
] as const;

for (const [name, Exporter, compression] of exporters) {
  test.serial(`the OTel SDK's ${name} exporter: records are stored and mapped`, async (t) => {
    const run = randomUUID();
    const exporter = new Exporter({
      url: `${cluster.urls.node3}/v1/logs`,
      compression: compression as never,
    });
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'checkout', 'deployment.environment': 'test', run }),
      processors: [new BatchLogRecordProcessor({ exporter, scheduledDelayMillis: 20 })],
    });
    const logger = provider.getLogger('orders', '1.2.3');
    const count = 120;
    const severities = [
      SeverityNumber.DEBUG,
      SeverityNumber.INFO2,
      SeverityNumber.WARN,
      SeverityNumber.ERROR,
      SeverityNumber.FATAL,
    ];
    for (let seq = 0; seq < count; seq++) {
      logger.emit({
        severityNumber: severities[seq % severities.length],
        body: seq % 10 === 0 ? { seq, kind: 'structured' } : `otel line ${seq}`,
        attributes: { seq, 'http.route': '/pay', nested: { a: { b: true } }, tags: ['x', 'y'] },
        timestamp: 1_700_000_000_000 + seq,
      });
    }
    await provider.forceFlush();
    await provider.shutdown();
    const entries = await readAll(cluster.urls.node1, `label.run=${run}`);
    t.is(entries.length, count);
    const levels = ['debug', 'info', 'warn', 'error', 'fatal'];
    for (const entry of entries) {
      const data = entry.original_data;
      const seq = Number(data.labels.seq);
      t.is(data.level, levels[seq % levels.length]);
      t.is(data.source, 'checkout');
      t.is(data.message, seq % 10 === 0 ? JSON.stringify({ seq, kind: 'structured' }) : `otel line ${seq}`);
      t.is(data.labels['http.route'], '/pay');
      t.is(data.labels['nested.a.b'], 'true');
      t.is(data.labels.tags, '["x","y"]');
      t.is(data.labels['deployment.environment'], 'test');
      t.deepEqual(data.scope, { name: 'orders', version: '1.2.3' });
      t.is(Date.parse(entry.timestamp), 1_700_000_000_000 + seq);
      t.regex(entry.id, /^otlp-[0-9a-f]{40}$/);
    }
  });
}

function post(body: Buffer | string, headers: Record<string, string>) {
  return fetch(`${cluster.urls.node2}/v1/logs`, { method: 'POST', headers, body });
}

/** An ExportLogsServiceRequest with one record, built by hand. */
function protoRequest(run: string, body: string, extra: number[][] = []): Buffer {
  const kv = (key: string, value: string) =>
    bytesField(1, message(bytesField(1, key), bytesField(2, message(bytesField(1, value)))));
  const resource = bytesField(1, message(kv('service.name', 'hand'), kv('run', run)));
  const record = message(
    fixed64Field(1, 1_700_000_000_123_000_000n),
    varintField(2, 17),
    bytesField(5, message(bytesField(1, body))),
    bytesField(9, Buffer.alloc(16, 0xab)),
    bytesField(10, Buffer.alloc(8, 0xcd)),
    ...extra,
  );
  return message(bytesField(1, message(resource, bytesField(2, message(bytesField(2, record))))));
}

test.serial('trace context is kept, and a retried export stores nothing twice', async (t) => {
  const run = randomUUID();
  const proto = protoRequest(run, 'retried');
  for (let i = 0; i < 3; i++) {
    const reply = await post(proto, { 'content-type': 'application/x-protobuf' });
    t.is(reply.status, 200);
    t.is(reply.headers.get('content-type'), 'application/x-protobuf');
  }
  const json = JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'run', value: { stringValue: run } }] },
        scopeLogs: [
          {
            logRecords: [
              { timeUnixNano: '1700000000000000000', severityText: 'Warning', body: { stringValue: 'json' } },
            ],
          },
        ],
      },
    ],
  });
  for (let i = 0; i < 2; i++) {
    const reply = await post(gzipSync(json), {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    t.deepEqual(await reply.json(), { success: true });
  }
  const entries = await readAll(cluster.urls.node1, `label.run=${run}`);
  t.deepEqual(
    entries.map((e) => e.original_data.message),
    ['retried', 'json'],
  );
  const [first, second] = entries.map((e) => e.original_data);
  t.is(first.trace_id, 'ab'.repeat(16));
  t.is(first.span_id, 'cd'.repeat(8));
  t.is(first.level, 'error');
  t.is(first.source, 'hand');
  t.is(second.level, 'warn', 'severityText is read when severityNumber is unset');
  t.is(second.source, 'otlp');
});

test.serial('attributes beyond LABELS_MAX are dropped and counted, not refused', async (t) => {
  const run = randomUUID();
  const attributes = [
    { key: 'run', value: { stringValue: run } },
    ...Array.from({ length: 60 }, (_, i) => ({ key: `a${i}`, value: { intValue: i } })),
  ];
  const reply = await post(
    JSON.stringify({
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'wide' } }] },
          scopeLogs: [{ logRecords: [{ body: { stringValue: 'wide' }, attributes }] }],
        },
      ],
    }),
    { 'content-type': 'application/json' },
  );
  t.is(reply.status, 200);
  const [entry] = await readAll(cluster.urls.node1, `label.run=${run}`);
  t.is(Object.keys(entry.original_data.labels).length, LABELS_MAX);
  t.is(entry.original_data.dropped_attributes, 61 - LABELS_MAX);
});

async function lastIndex(): Promise<number> {
  const res = await fetch(`${cluster.urls.node1}/logs?order=desc&limit=1`);
  const body = (await res.json()) as { entries: Array<{ index: number }> };
  return body.entries[0]?.index ?? 0;
}

test.serial('malformed, oversize and bomb exports get the documented errors and store nothing', async (t) => {
  const before = await lastIndex();
  const json = { 'content-type': 'application/json' };
  const protobuf = { 'content-type': 'application/x-protobuf' };
  const records = (list: unknown[]) =>
    JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: list }] }] });
  const deep = (depth: number): unknown =>
    depth === 0 ? { stringValue: 'x' } : { kvlistValue: { values: [{ key: 'k', value: deep(depth - 1) }] } };
  let protoDeep: number[] = bytesField(1, 'leaf');
  for (let i = 0; i < 40; i++)
    protoDeep = bytesField(
      6,
      message(bytesField(1, message(bytesField(1, 'k'), bytesField(2, message(protoDeep))))),
    );
  const cases: Array<[string, Buffer | string, Record<string, string>, number, string, string?]> = [
    ['not JSON', '{"resourceLogs": [', json, 400, 'INVALID_JSON'],
    ['resourceLogs not an array', '{"resourceLogs": 1}', json, 400, 'INVALID_ENTRY', 'resourceLogs'],
    [
      'a bad time',
      records([{ timeUnixNano: 'soon', body: { stringValue: 'x' } }]),
      json,
      400,
      'INVALID_ENTRY',
      'resourceLogs[0].scopeLogs[0].logRecords[0].timeUnixNano',
    ],
    ['a bad trace id', records([{ traceId: 'xyz', body: { stringValue: 'x' } }]), json, 400, 'INVALID_ENTRY'],
    [
      'one blank body among good ones',
      records([{ body: { stringValue: 'ok' } }, { body: { stringValue: '  ' } }]),
      json,
      400,
      'INVALID_ENTRY',
      'resourceLogs[0].scopeLogs[0].logRecords[1].message',
    ],
    [
      'an attribute bomb',
      records([
        {
          body: { stringValue: 'x' },
          attributes: Array.from({ length: OTLP_ATTRIBUTES_MAX + 1 }, (_, i) => ({
            key: `k${i}`,
            value: { intValue: i },
          })),
        },
      ]),
      json,
      400,
      'INVALID_ENTRY',
    ],
    ['a nesting bomb (JSON)', records([{ body: deep(20) }]), json, 400, 'INVALID_ENTRY'],
    [
      'a nesting bomb (protobuf)',
      protoRequest('x', 'x', [bytesField(5, message(protoDeep))]),
      protobuf,
      400,
      'INVALID_ENTRY',
    ],
    [
      'too many records',
      records(Array.from({ length: INGEST_ENTRIES_MAX + 1 }, () => ({ body: { stringValue: 'x' } }))),
      json,
      413,
      'BATCH_TOO_LARGE',
    ],
    [
      'an oversize body',
      records([{ body: { stringValue: 'x'.repeat(70_000) } }]),
      json,
      413,
      'ENTRY_TOO_LARGE',
    ],
    ['truncated protobuf', protoRequest('x', 'y').subarray(0, 20), protobuf, 400, 'INVALID_BODY', 'body'],
    ['a wrong wire type', Buffer.from([0x08, 0x01]), protobuf, 400, 'INVALID_BODY'],
    [
      'a gzip bomb',
      gzipSync(Buffer.alloc(24 * 1024 * 1024, 0x20)),
      { ...protobuf, 'content-encoding': 'gzip' },
      413,
      'BODY_TOO_LARGE',
    ],
    ['corrupt gzip', Buffer.from('not gzip'), { ...json, 'content-encoding': 'gzip' }, 400, 'INVALID_BODY'],
    ['text/plain', 'x', { 'content-type': 'text/plain' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ];
  for (const [what, body, headers, status, code, field] of cases) {
    const reply = await post(body, headers);
    const error = (await reply.json()) as Record<string, unknown>;
    t.is(reply.status, status, `${what}: ${JSON.stringify(error).slice(0, 300)}`);
    t.is(error.code, code, what);
    if (field !== undefined) t.is(error.field, field, what);
  }
  t.is(await lastIndex(), before, 'nothing was stored');
});
