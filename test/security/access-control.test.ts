/**
 * Access control on a real cluster of node processes started with a client token and a cluster
 * secret: every route but /health (and CORS preflights) answers 401 UNAUTHORIZED without the
 * token, and works with it; a peer handshake without the secret is refused with 401
 * PEER_UNAUTHORIZED while the members, which have it, replicate as usual; and neither the token
 * nor the secret (nor a wrong token someone presented) appears in any node's log output.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { ClusterManager, LogClusterClient } from '../../lib/index.js';
import { closedWithin, peerHeaders, peerUpgrade } from '../fuzz/peer-socket.js';
import { exchange } from '../fuzz/raw-http.js';
import { waitFor } from '../helpers/wait.js';

const TOKEN = `tok-${randomBytes(12).toString('hex')}`;
const SECRET = `sec-${randomBytes(12).toString('hex')}`;
const WRONG_TOKEN = `wrong-${randomBytes(12).toString('hex')}`;
const WRONG_SECRET = `bad-${randomBytes(12).toString('hex')}`;

let dataDir: string;
let cluster: ClusterManager;
let ports: number[];

test.before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lc-access-'));
  cluster = new ClusterManager({ nodes: 3, basePort: 0, dataDir, token: TOKEN, clusterSecret: SECRET });
  await cluster.start();
  ports = cluster.config.nodes.map((n) => n.port);
});

test.after.always(async () => {
  await cluster?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function get(port: number, target: string, headers: Record<string, string> = {}, method = 'GET', body = '') {
  const lines = [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  if (body !== '') lines.push('Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`);
  return exchange(port, Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`), 10_000);
}

const GUARDED: ReadonlyArray<[string, string, string?]> = [
  ['POST', '/write', JSON.stringify({ message: 'no token', id: 'no-token' })],
  ['GET', '/read/log_00000000000000000001.json'],
  ['GET', '/logs'],
  ['GET', '/logs/stream'],
  ['GET', '/stats'],
  ['GET', '/cluster'],
  ['GET', '/metrics'],
  ['GET', '/dashboard'],
];

test.serial('without the token (or with a wrong one) every guarded route answers 401', async (t) => {
  const attempts: Array<[string, Record<string, string>]> = [
    ['no header', {}],
    ['wrong token', { Authorization: `Bearer ${WRONG_TOKEN}` }],
    ['token in the wrong scheme', { Authorization: `Basic ${TOKEN}` }],
    ['empty bearer', { Authorization: 'Bearer ' }],
  ];
  for (const [method, path, body] of GUARDED) {
    for (const [what, headers] of attempts) {
      const reply = await get(ports[0], path, headers, method, body);
      t.is(reply.status, 401, `${method} ${path}, ${what}`);
      const json = JSON.parse(reply.body.toString()) as Record<string, unknown>;
      t.is(json.code, 'UNAUTHORIZED');
      t.false(reply.body.toString().includes(WRONG_TOKEN), 'a presented token is never echoed');
    }
  }
  const viaQuery = await get(ports[0], `/logs?access_token=${TOKEN}`);
  t.not(viaQuery.status, 200, 'only the stream accepts a token in the query string');
  const tokenless = new LogClusterClient({ nodes: cluster.config.nodes.map((n) => n.url), retries: 0 });
  t.teardown(() => tokenless.close());
  const code = await tokenless
    .read('no-token', { consistency: 'local' })
    .catch((e: { code?: string }) => e.code);
  t.is(code, 'UNAUTHORIZED', 'the client surfaces the code');
});

test.serial('/health and preflights stay open; with the token everything works', async (t) => {
  for (const port of ports) {
    const health = await get(port, '/health');
    t.true(health.status === 200 || health.status === 503, 'health answers without a token');
    t.not(health.status, 401);
    const preflight = await get(
      port,
      '/write',
      { Origin: 'http://x', 'Access-Control-Request-Method': 'POST' },
      'OPTIONS',
    );
    t.is(preflight.status, 204);
  }
  const client = new LogClusterClient({ nodes: cluster.config.nodes.map((n) => n.url), token: TOKEN });
  t.teardown(() => client.close());
  const written = await client.write({ message: 'with the token', id: 'with-token' });
  t.is((await client.read('with-token')).index, written.index);
  t.true((await client.query({ source: 'unknown' })).entries.length >= 1);
  const stream = await get(ports[1], `/logs/stream?access_token=${TOKEN}`);
  t.is(stream.status, 200, 'the stream takes ?access_token');
  t.regex(stream.headers['content-type'] ?? '', /^text\/event-stream/);
  // Replicated to every member (peer traffic carries the secret).
  for (const node of cluster.config.nodes) {
    const one = new LogClusterClient({ nodes: [node.url], token: TOKEN, retries: 0 });
    const record = await waitFor(`with-token on ${node.id}`, () =>
      one.read('with-token', { consistency: 'local' }).catch(() => null),
    );
    one.close();
    t.is(record.index, written.index);
  }
});

test.serial('a peer without the cluster secret is refused; with it the handshake succeeds', async (t) => {
  for (const [what, secret] of [
    ['no secret', undefined],
    ['wrong secret', WRONG_SECRET],
    ['secret with a suffix', `${SECRET}x`],
  ] as const) {
    const reply = await peerUpgrade(ports[0], peerHeaders('node2', 'node1', secret));
    t.is(reply.status, 401, what);
    t.is(reply.body?.code, 'PEER_UNAUTHORIZED', what);
    t.false(JSON.stringify(reply.body).includes(SECRET), 'the refusal does not reveal the secret');
    t.true(await closedWithin(reply.socket, 2_000));
  }
  // The refusal comes before anything about the cluster: a wrong cluster id gets the same answer.
  const foreign = await peerUpgrade(ports[0], {
    ...peerHeaders('node2', 'node1'),
    'x-logcluster-cluster': 'x',
  });
  t.is(foreign.body?.code, 'PEER_UNAUTHORIZED');
  t.false(
    String(foreign.body?.error).includes('logcluster'),
    'the cluster id is not revealed without the secret',
  );
  const accepted = await peerUpgrade(ports[0], peerHeaders('node2', 'node1', SECRET));
  t.is(accepted.status, 101);
  accepted.socket.destroy();
  // The members still replicate (node2 reconnects after the test's connection replaced its own).
  const client = new LogClusterClient({ nodes: cluster.config.nodes.map((n) => n.url), token: TOKEN });
  t.teardown(() => client.close());
  const written = await client.write({ message: 'after the handshakes', id: 'after-handshakes' });
  t.true(written.index > 0);
  t.is((await client.read('after-handshakes')).id, 'after-handshakes');
});

test.serial('neither the token nor the secret appears in any node log', async (t) => {
  const dir = join(dataDir, 'logs');
  const files = await readdir(dir);
  t.true(files.length >= 3, 'every node wrote a log');
  for (const file of files) {
    const text = await readFile(join(dir, file), 'utf8');
    for (const [name, value] of [
      ['token', TOKEN],
      ['cluster secret', SECRET],
      ['wrong token', WRONG_TOKEN],
      ['wrong secret', WRONG_SECRET],
    ] as const) {
      t.false(text.includes(value), `${file} mentions the ${name}`);
    }
  }
});
