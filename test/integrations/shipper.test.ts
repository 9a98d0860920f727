import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import type { LogEntryInput } from '../../lib/client/types.js';
import { fitEntry } from '../../lib/integrations/shipping/fit-entry.js';
import { resolveShipperOptions } from '../../lib/integrations/shipping/options.js';
import { LogShipper } from '../../lib/integrations/shipping/shipper.js';
import { ENTRY_BYTES_MAX, LABELS_MAX } from '../../lib/node/entries/limits.js';
import { validateEntry } from '../../lib/node/entries/validate.js';

// LogShipper against a scripted HTTP node: back-pressure, retries with the same ids, and
// splitting a refused batch so only the bad entry is dropped.

type Handler = (body: any[], res: ServerResponse) => void;

async function fakeNode(handler: Handler) {
  const bodies: any[][] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      const body = JSON.parse(text);
      bodies.push(body);
      handler(body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, bodies, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function ok(body: any[], res: ServerResponse): void {
  const results = body.map((e, i) => ({
    file_path: `log_${i}.json`,
    id: e.id,
    index: i + 1,
    term: 1,
    leader_id: 'n1',
    replicas: 3,
    duplicate: false,
  }));
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ success: true, results }));
}

function entry(n: number): LogEntryInput {
  return { id: `id-${n}`, message: `m${n}`, level: 'info', source: 's' };
}

test('a full buffer makes push wait (back-pressure) instead of growing', async (t) => {
  const held: Array<() => void> = [];
  const node = await fakeNode((body, res) => held.push(() => ok(body, res)));
  const shipper = new LogShipper(
    resolveShipperOptions({ nodes: node.url, bufferMax: 5, batchSize: 2, flushIntervalMs: 1 }),
    () => {},
  );
  for (let i = 0; i < 5; i++) t.is(shipper.push(entry(i)), undefined);
  const waiting = shipper.push(entry(5));
  t.true(waiting instanceof Promise, 'the sixth entry waits for room');
  t.is(shipper.pending, 5);
  while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  held.shift()!(); // the first batch (2 entries) is acknowledged: room for the waiter
  await waiting;
  const flushed = shipper.flush();
  for (;;) {
    if (held.length > 0) held.shift()!();
    if (shipper.pending === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await flushed;
  t.deepEqual(
    node.bodies.flat().map((e) => e.id),
    ['id-0', 'id-1', 'id-2', 'id-3', 'id-4', 'id-5'],
  );
  await shipper.close();
  await node.close();
});

test('a batch whose outcome is unknown is re-sent with the same ids; a refused entry is dropped alone', async (t) => {
  let calls = 0;
  const node = await fakeNode((body, res) => {
    calls++;
    if (calls <= 2) {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ success: false, error: 'lost the leader', code: 'OUTCOME_UNKNOWN' }));
    } else if (body.some((e) => e.message === 'bad')) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ success: false, error: 'bad entry', code: 'INVALID_ENTRY', field: 'message' }),
      );
    } else ok(body, res);
  });
  const dropped: string[] = [];
  const shipper = new LogShipper(
    resolveShipperOptions({ nodes: node.url, batchSize: 10, flushIntervalMs: 1 }),
    (_error, entries) => dropped.push(...entries.map((e) => e.message)),
  );
  shipper.push(entry(1));
  shipper.push({ ...entry(2), message: 'bad' });
  shipper.push(entry(3));
  await shipper.flush();
  const first = node.bodies[0].map((e) => e.id);
  t.deepEqual(
    node.bodies[1].map((e) => e.id),
    first,
    'the retry carries the same ids',
  );
  t.deepEqual(dropped, ['bad']);
  t.deepEqual(shipper.stats.sent, 2);
  t.is(shipper.stats.dropped, 1);
  await shipper.close();
  await node.close();
});

test('fitEntry: whatever a logger hands over becomes an entry the node accepts', (t) => {
  const circular: Record<string, unknown> = { a: 1 };
  circular.self = circular;
  let deep: Record<string, unknown> = {};
  for (let i = 0; i < 40; i++) deep = { deep };
  const data: Record<string, unknown> = { circular, deep, big: 'x'.repeat(200_000), fn: () => 1, n: 1n };
  for (let i = 0; i < 50; i++) data[`k ${i}!`] = i;
  const fitted = fitEntry({
    id: 'x1',
    message: 'é'.repeat(70_000),
    level: 'info',
    source: 's'.repeat(500),
    staticLabels: { env: 'prod' },
    data,
  });
  const valid = validateEntry(fitted);
  t.true(Buffer.byteLength(valid.originalJson) <= ENTRY_BYTES_MAX);
  t.is(Object.keys(valid.original.labels ?? {}).length, LABELS_MAX);
  t.is(valid.original.labels?.env, 'prod');
  t.true(valid.original.message_truncated as boolean);
});
