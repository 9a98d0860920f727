import { request } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import test, { type ExecutionContext } from 'ava';
import type { Message } from '../../lib/consensus/types.js';
import { LogClusterError } from '../../lib/errors.js';
import { encodeFrame, FRAME_BYTES_MAX, PEER_PROTOCOL_VERSION } from '../../lib/transport/codec.js';
import { PEER_HEADERS, refuseUpgrade } from '../../lib/transport/handshake.js';
import { HttpTransport } from '../../lib/transport/http-transport.js';
import { PEER_QUEUE_MESSAGES_MAX } from '../../lib/transport/transport.js';
import { heartbeat, listen, makeNode, startNodes, stopNode, type TestNode, until, urlOf } from './helpers.js';

async function nodes(t: ExecutionContext, ...args: Parameters<typeof startNodes>): Promise<TestNode[]> {
  const started = await startNodes(...args);
  for (const node of started) t.teardown(() => stopNode(node));
  return started;
}

interface RawAnswer {
  status: number;
  body: Record<string, unknown>;
  socket: Duplex | null;
}

/** An upgrade request with hand-written headers; resolves with the status and JSON body (or the 101 socket). */
function rawUpgrade(url: string, headers: Record<string, string>, path = '/_raft'): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, {
      headers: { connection: 'Upgrade', upgrade: 'logcluster-raft', ...headers },
    });
    req.on('upgrade', (res, socket) => resolve({ status: res.statusCode ?? 0, body: {}, socket }));
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), socket: null }));
    });
    req.on('error', reject);
    req.end();
  });
}

function goodHeaders(from: string, to: string): Record<string, string> {
  return {
    [PEER_HEADERS.version]: String(PEER_PROTOCOL_VERSION),
    [PEER_HEADERS.node]: from,
    [PEER_HEADERS.target]: to,
    [PEER_HEADERS.cluster]: 'logcluster',
  };
}

test('three transports exchange batches in order over loopback', async (t) => {
  const [a, b, c] = await nodes(t, ['node1', 'node2', 'node3']);
  const toB = Array.from({ length: 100 }, (_, i) => heartbeat('node1', 'node2', `b${i}`));
  const toC = Array.from({ length: 50 }, (_, i) => heartbeat('node1', 'node3', `c${i}`));
  a.transport.send([...toB, ...toC]);
  c.transport.send([heartbeat('node3', 'node1', 'back')]);
  await until(() => b.batches.flat().length === 100 && c.batches.flat().length === 50, 'delivery');
  await until(() => a.batches.flat().length === 1, 'reply');
  t.deepEqual(b.batches.flat(), toB);
  t.deepEqual(c.batches.flat(), toC);
  t.is(a.batches[0][0].from, 'node3');
  // One send call while disconnected: everything queued goes out coalesced, not one frame per message.
  t.true(b.batches.length <= 2, `${b.batches.length} frames for 100 messages`);
  const stats = a.transport.stats();
  t.like(stats.node2, { sent: 100, dropped: 0, queued: 0, connected: true, lastError: null });
  t.like(stats.node3, { sent: 50, received: 1, connected: true });
  t.is(b.transport.stats().node1.received, 100);
  t.is(b.transport.inboundStats().connections, 1);
});

test('the first send of an event-loop turn leaves at once; the rest of the turn share one frame', async (t) => {
  const [a, b] = await nodes(t, ['node1', 'node2']);
  a.transport.send([heartbeat('node1', 'node2', 'warm-up')]);
  await until(() => b.batches.length === 1, 'warm-up');
  await new Promise((resolve) => setImmediate(resolve));
  for (let i = 0; i < 20; i++) a.transport.send([heartbeat('node1', 'node2', `m${i}`)]);
  await until(() => b.batches.flat().length === 21, 'delivery');
  t.deepEqual(
    b.batches.map((batch) => batch.length),
    [1, 1, 19],
  );
});

test('frames are split at FRAME_BYTES_MAX and an oversized message is dropped with a reason', async (t) => {
  const [a, b] = await nodes(t, ['node1', 'node2']);
  const big = (index: number, bytes: number): Message => ({
    type: 'append',
    from: 'node1',
    to: 'node2',
    term: 1,
    prevIndex: index - 1,
    prevTerm: 1,
    commit: 0,
    entries: [{ index, term: 1, type: 'normal', data: new Uint8Array(bytes).fill(index) }],
  });
  const third = Math.floor(FRAME_BYTES_MAX / 3);
  a.transport.send([big(1, third), big(2, third), big(3, third), big(4, FRAME_BYTES_MAX), big(5, 10)]);
  await until(() => b.batches.flat().length === 4, 'big appends', 10_000);
  t.true(b.batches.length >= 2);
  t.deepEqual(
    b.batches.flat().map((m) => (m.type === 'append' ? m.entries[0].index : 0)),
    [1, 2, 3, 5],
  );
  const stats = a.transport.stats().node2;
  t.is(stats.dropped, 1);
  t.regex(stats.lastError ?? '', /exceeds FRAME_BYTES_MAX/);
});

test('the sender reconnects after the receiving server restarts', async (t) => {
  const [a, b] = await nodes(t, ['node1', 'node2']);
  a.transport.send([heartbeat('node1', 'node2', 'before')]);
  await until(() => b.batches.length === 1, 'first delivery');
  const port = Number(new URL(b.url).port);
  await stopNode(b);
  await until(() => !a.transport.stats().node2.connected, 'disconnect noticed');
  t.truthy(a.transport.stats().node2.lastError);

  const server = await listen(port);
  const b2 = makeNode('node2', server, { node1: a.url, node2: b.url });
  t.teardown(() => stopNode(b2));
  // Raft would keep sending heartbeats; do the same until one arrives on the new server.
  let n = 0;
  await until(() => {
    a.transport.send([heartbeat('node1', 'node2', `after${n++}`)]);
    return b2.batches.length > 0;
  }, 'delivery after restart');
  t.regex(b2.batches[0][0].type, /heartbeat/);
  t.true(a.transport.stats().node2.connected);
});

test('connect() reaches a peer that starts later, with nothing to send, and reports it once', async (t) => {
  const [a] = await nodes(t, ['node1']);
  const reserved = await listen();
  const bUrl = urlOf(reserved);
  await new Promise<void>((resolve) => reserved.close(() => resolve()));
  a.transport.setPeers({ node2: bUrl });
  const reachable: string[] = [];
  a.transport.onPeerReachable((peer) => reachable.push(peer));
  a.transport.connect();
  await until(() => a.transport.stats().node2.lastError !== null, 'a refused connect');
  t.false(a.transport.stats().node2.connected);

  const b = makeNode('node2', await listen(Number(new URL(bUrl).port)), { node1: a.url, node2: bUrl });
  t.teardown(() => stopNode(b));
  await until(() => reachable.length > 0, 'the peer reported reachable after it started');
  t.deepEqual(reachable, ['node2']);
  t.like(a.transport.stats().node2, { connected: true, sent: 0 });
  t.is(b.transport.inboundStats().connections, 1);
});

test('a peer speaking another protocol version is refused with 400 PEER_PROTOCOL_MISMATCH', async (t) => {
  const [a] = await nodes(t, ['node1', 'node2']);
  const answer = await rawUpgrade(a.url, { ...goodHeaders('node2', 'node1'), [PEER_HEADERS.version]: '999' });
  t.is(answer.status, 400);
  t.like(answer.body, {
    success: false,
    code: 'PEER_PROTOCOL_MISMATCH',
    protocol_version: PEER_PROTOCOL_VERSION,
  });
  t.regex(String(answer.body.error), /version 1; the peer sent "999"/);
  t.is(a.transport.inboundStats().refused, 1);
  t.regex(a.transport.inboundStats().lastRefusal ?? '', /PEER_PROTOCOL_MISMATCH/);
});

test('the sender surfaces a version refusal in its stats', async (t) => {
  // A node from the future: answers every upgrade as a version-2 node would.
  const future = await listen();
  t.teardown(() => new Promise((resolve) => future.close(() => resolve())));
  future.on('upgrade', (_req, socket) => {
    refuseUpgrade(
      socket,
      new LogClusterError('PEER_PROTOCOL_MISMATCH', 'Node node2 speaks peer protocol version 2'),
    );
  });
  const a = new HttpTransport({ id: 'node1', peers: { node2: urlOf(future) } });
  t.teardown(() => a.close());
  a.send([heartbeat('node1', 'node2', 'x')]);
  await until(() => a.stats().node2.lastError !== null, 'refusal');
  const stats = a.stats().node2;
  t.regex(
    stats.lastError!,
    /^PEER_PROTOCOL_MISMATCH: Node node2 speaks peer protocol version 2 \(HTTP 400\)$/,
  );
  t.false(stats.connected);
  t.is(stats.dropped, 1);
});

test('a wrong or missing secret is refused with 401 and no secret appears in any log or error', async (t) => {
  const right = 'correct-horse-battery';
  const wrong = 'wrong-horse-battery';
  const [a, b] = await nodes(t, ['node1', 'node2'], (id) => ({
    clusterSecret: id === 'node1' ? wrong : right,
  }));
  a.transport.send([heartbeat('node1', 'node2', 'x')]);
  await until(() => a.transport.stats().node2.lastError !== null, 'refusal');
  t.regex(a.transport.stats().node2.lastError!, /^PEER_UNAUTHORIZED: .*\(HTTP 401\)$/);
  t.is(b.batches.length, 0);

  const missing = await rawUpgrade(b.url, goodHeaders('node1', 'node2'));
  t.is(missing.status, 401);
  t.is(missing.body.code, 'PEER_UNAUTHORIZED');
  const guessed = await rawUpgrade(b.url, {
    ...goodHeaders('node1', 'node2'),
    [PEER_HEADERS.secret]: 'x'.repeat(300),
  });
  t.is(guessed.status, 401);
  t.true(b.transport.inboundStats().refused >= 3);

  const everything = [
    ...a.logs,
    ...b.logs,
    JSON.stringify(a.transport.stats()),
    JSON.stringify(b.transport.inboundStats()),
    JSON.stringify(missing.body),
  ].join('\n');
  t.false(everything.includes(right));
  t.false(everything.includes(wrong));
  const optionError = t.throws(() => new HttpTransport({ id: 'node1', peers: {}, clusterSecret: 'short\n' }));
  t.false(optionError.message.includes('short'));
});

test('matching secrets connect', async (t) => {
  const [a, b] = await nodes(t, ['node1', 'node2'], () => ({
    clusterSecret: 'the-same-secret',
    clusterId: 'prod',
  }));
  a.transport.send([heartbeat('node1', 'node2', 'x')]);
  await until(() => b.batches.length === 1, 'delivery');
  t.pass();
});

test('unknown senders, wrong targets, other clusters and other paths are refused', async (t) => {
  const [a] = await nodes(t, ['node1', 'node2']);
  const stranger = await rawUpgrade(a.url, goodHeaders('node9', 'node1'));
  t.is(stranger.status, 401);
  t.regex(String(stranger.body.error), /"node9" is not a peer of node node1/);
  const self = await rawUpgrade(a.url, goodHeaders('node1', 'node1'));
  t.is(self.status, 401);
  const misdirected = await rawUpgrade(a.url, goodHeaders('node2', 'node3'));
  t.is(misdirected.status, 404);
  t.is(misdirected.body.code, 'UNKNOWN_NODE');
  const otherCluster = await rawUpgrade(a.url, {
    ...goodHeaders('node2', 'node1'),
    [PEER_HEADERS.cluster]: 'staging',
  });
  t.is(otherCluster.status, 401);
  const websocket = await rawUpgrade(a.url, { ...goodHeaders('node2', 'node1'), upgrade: 'websocket' });
  t.is(websocket.status, 400);
  const elsewhere = await rawUpgrade(a.url, goodHeaders('node2', 'node1'), '/write');
  t.is(elsewhere.status, 404);
  t.is(elsewhere.body.code, 'ROUTE_NOT_FOUND');
  t.is(a.transport.inboundStats().refused, 5);
});

test('a malformed frame closes that connection; the server keeps serving', async (t) => {
  const [a, b] = await nodes(t, ['node1', 'node2']);
  const raw = await rawUpgrade(b.url, goodHeaders('node1', 'node2'));
  t.is(raw.status, 101);
  const closed = new Promise((resolve) => raw.socket!.on('close', resolve));
  raw.socket!.on('error', () => {});
  raw.socket!.write(Buffer.from([0, 0, 0, 3, 9, 9, 9]));
  await closed;
  t.is(b.transport.inboundStats().invalidFrames, 1);
  t.regex(b.transport.inboundStats().lastRefusal ?? '', /malformed: protocol version 9/);

  // A well-formed frame that claims another sender is refused too.
  const spoof = await rawUpgrade(b.url, goodHeaders('node1', 'node2'));
  const spoofClosed = new Promise((resolve) => spoof.socket!.on('close', resolve));
  spoof.socket!.write(encodeFrame([heartbeat('node3', 'node2', 'spoofed')]));
  await spoofClosed;
  t.is(b.transport.inboundStats().invalidFrames, 2);
  t.is(b.batches.length, 0);

  const publicRoute = await fetch(`${b.url}/health`);
  t.is(await publicRoute.text(), 'ok');
  a.transport.send([heartbeat('node1', 'node2', 'still fine')]);
  await until(() => b.batches.length === 1, 'delivery after the bad connections');
  t.is(b.batches[0][0].type, 'heartbeat');
});

test('the queue to a down peer is bounded: excess messages are dropped and counted', async (t) => {
  const down = await listen();
  const url = urlOf(down);
  await new Promise((resolve) => down.close(resolve));
  const a = new HttpTransport({ id: 'node1', peers: { node2: url } });
  t.teardown(() => a.close());
  const messages = Array.from({ length: PEER_QUEUE_MESSAGES_MAX + 10 }, (_, i) =>
    heartbeat('node1', 'node2', `${i}`),
  );
  a.send(messages);
  const now = a.stats().node2;
  t.is(now.queued, PEER_QUEUE_MESSAGES_MAX);
  t.is(now.dropped, 10);
  await until(() => a.stats().node2.lastError !== null, 'connection failure');
  const later = a.stats().node2;
  t.regex(later.lastError!, /ECONNREFUSED/);
  t.false(later.connected);
  t.is(later.dropped, PEER_QUEUE_MESSAGES_MAX + 10);
  t.is(later.sent, 0);
  a.send([heartbeat('node1', 'node9', 'nobody')]);
  t.is(a.inboundStats().unroutable, 1);
});

test('a peer that never answers the handshake times out', async (t) => {
  const sockets: Socket[] = [];
  const silent = createNetServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.teardown(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });
  const port = (silent.address() as { port: number }).port;
  const a = new HttpTransport({ id: 'node1', peers: { node2: `http://127.0.0.1:${port}` } });
  t.teardown(() => a.close());
  a.send([heartbeat('node1', 'node2', 'x')]);
  await until(() => a.stats().node2.lastError !== null, 'handshake timeout', 5000);
  t.regex(a.stats().node2.lastError!, /handshake timed out/);
});

test('options are validated and name the option', (t) => {
  const bad = [
    [{ id: '', peers: {} }, /option id/],
    [{ id: 'node1', peers: { node2: 'ftp://x' } }, /option peers.node2 .*ftp/],
    [{ id: 'node1', peers: { node1: 'http://x' } }, /option peers.node1/],
    [{ id: 'node1', peers: {}, queueMessagesMax: 0 }, /option queueMessagesMax/],
    [{ id: 'node1', peers: {}, clusterId: 'a\r\nb' }, /option clusterId/],
  ] as const;
  for (const [options, pattern] of bad) {
    const error = t.throws(() => new HttpTransport(options as never));
    t.is((error as LogClusterError).code, 'INVALID_OPTION');
    t.regex(error.message, pattern);
  }
});

test('close() ends every connection and later sends are dropped', async (t) => {
  const [a, b] = await nodes(t, ['node1', 'node2']);
  a.transport.send([heartbeat('node1', 'node2', 'x')]);
  b.transport.send([heartbeat('node2', 'node1', 'y')]);
  await until(() => a.batches.length === 1 && b.batches.length === 1, 'both directions');
  await a.transport.close();
  t.is(a.transport.inboundStats().connections, 0);
  await until(() => b.transport.inboundStats().connections === 0, 'peer sees the close');
  a.transport.send([heartbeat('node1', 'node2', 'late')]);
  t.is(a.transport.stats().node2.dropped, 1);
  const refused = await rawUpgrade(a.url, goodHeaders('node2', 'node1'));
  t.is(refused.status, 503);
  t.is(refused.body.code, 'SHUTTING_DOWN');
});

test('a peer that stops reading is detected by the write deadline and reconnected', async (t) => {
  // A peer that accepts the upgrade, then never reads (like a process stopped with SIGSTOP).
  const stuck = await listen();
  const sockets: Duplex[] = [];
  stuck.on('upgrade', (_req, socket) => {
    sockets.push(socket);
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: logcluster-raft\r\n\r\n',
    );
    socket.pause();
  });
  t.teardown(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => stuck.close(resolve));
  });
  const a = new HttpTransport({ id: 'node1', peers: { node2: urlOf(stuck) } });
  t.teardown(() => a.close());
  const chunk = new Uint8Array(4 * 1024);
  const append = (index: number): Message => ({
    type: 'append',
    from: 'node1',
    to: 'node2',
    term: 1,
    prevIndex: index - 1,
    prevTerm: 1,
    commit: 0,
    entries: [{ index, term: 1, type: 'normal', data: chunk }],
  });
  let index = 0;
  await until(
    () => {
      if (a.stats().node2.queued < 64) a.send(Array.from({ length: 64 }, () => append(++index)));
      return /no write completed/.test(a.stats().node2.lastError ?? '');
    },
    'stall detection',
    20_000,
  );
  t.true(sockets.length >= 1);
  t.true(a.stats().node2.sent > 0);
});
