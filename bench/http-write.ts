/**
 * The POST /write hot path. Run: npx tsx bench/http-write.ts
 * 1. In-process: what the HTTP layer adds to JSON.parse for one typical entry (content type,
 *    body parse, validation, canonical JSON) and what encodeEntry adds on the leader.
 * 2. Over loopback: requests/s of POST /write against a service that answers at once (the HTTP
 *    layer's ceiling, client in the same process on the same 2 cores).
 */

import { Agent, request } from 'node:http';
import { bodyKind, parseWriteBody } from '../lib/http/body.js';
import { createHttpApi } from '../lib/http/server.js';
import type { NodeService, WriteResult } from '../lib/http/service.js';
import { encodeEntry } from '../lib/node/entries/payload.js';
import { filePathOf } from '../lib/node/entries/record.js';
import { validateEntry } from '../lib/node/entries/validate.js';

const body = Buffer.from(
  JSON.stringify({
    message: 'GET /api/orders/1234 200 in 12 ms',
    level: 'info',
    source: 'api-gateway',
    labels: { env: 'prod', region: 'eu-1' },
    id: 'c0a80101-0000-4000-8000-000000000001',
  }),
);

function perOp(name: string, run: () => unknown, count = 300_000): number {
  for (let i = 0; i < 20_000; i++) run();
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) run();
  const us = Number(process.hrtime.bigint() - start) / 1000 / count;
  console.log(`${name.padEnd(52)} ${us.toFixed(2)} µs`);
  return us;
}

const parseOnly = perOp('JSON.parse(body) alone', () => JSON.parse(body.toString('utf8')));
const layer = perOp('content type + parse + validateEntry (HTTP layer)', () => {
  const parsed = parseWriteBody(bodyKind('application/json; charset=utf-8'), body);
  return validateEntry(parsed.entries[0]);
});
const entry = validateEntry(JSON.parse(body.toString('utf8')));
perOp('encodeEntry (leader: header, sha256, bytes)', () => encodeEntry(entry, { nodeId: 'node1', nowMs: 1 }));
console.log(`HTTP layer cost beyond JSON.parse: ${(layer - parseOnly).toFixed(2)} µs per entry`);

let index = 0;
const service: NodeService = {
  write: async (entries) =>
    entries.map(
      (e): WriteResult => ({
        file_path: filePathOf(++index),
        id: e.id,
        index,
        term: 1,
        leader_id: 'node1',
        replicas: 3,
        duplicate: false,
      }),
    ),
  read: () => {
    throw new Error('unused');
  },
  query: () => ({ entries: [], next_after: null }),
  subscribe: () => ({ close: () => {} }),
  health: () => {
    throw new Error('unused');
  },
  stats: () => ({ node_id: 'n', stats: { writes: 0, reads: 0, replications_received: 0, start_time: '' } }),
  cluster: () => ({ leader_id: null, term: 0, members: [] }),
  metrics: () => '',
};
const api = createHttpApi(service);
const { port } = await api.listen(0);
const agent = new Agent({ keepAlive: true, maxSockets: 16 });
const post = () =>
  new Promise<void>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/write',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
const durationMs = 3_000;
const deadline = performance.now() + durationMs;
let done = 0;
await Promise.all(
  Array.from({ length: 16 }, async () => {
    while (performance.now() < deadline) {
      await post();
      done++;
    }
  }),
);
console.log(
  `POST /write over loopback (16 keep-alive connections): ${Math.round(done / (durationMs / 1000))} req/s`,
);
agent.destroy();
await api.close();
