/**
 * The peer route (/_raft on the public port) refuses malformed and foreign traffic without harm:
 * bad handshakes get the documented refusal, and after a valid handshake any malformed frame,
 * foreign message or random byte stream only closes that one connection. The cluster keeps
 * electing, replicating and serving throughout (checked at the end).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import fc from 'fast-check';
import { LogClusterClient, StorageNode } from '../../lib/index.js';
import { encodeFrame } from '../../lib/transport/codec.js';
import { startCluster, type TestCluster } from '../helpers/node-cluster.js';
import { waitFor } from '../helpers/wait.js';
import { closedWithin, frame, peerHeaders, peerUpgrade } from './peer-socket.js';

/** A bad frame must close its connection this soon. */
const CLOSE_DEADLINE_MS = 2_000;
/** Random byte streams thrown at an accepted connection. */
const RANDOM_STREAMS = 25;

let cluster: TestCluster;
let port: number;

test.before(async () => {
  cluster = await startCluster(3);
  port = Number(new URL(cluster.urls.node1).port);
});

test.after.always(async () => {
  await cluster?.close();
});

test.serial('bad handshakes get the documented refusals', async (t) => {
  const good = peerHeaders('node2', 'node1');
  const cases: Array<[string, Record<string, string>, number, string, string?]> = [
    ['websocket upgrade', { ...good, Upgrade: 'websocket' }, 400, 'PEER_PROTOCOL_MISMATCH'],
    ['wrong version', { ...good, 'x-logcluster-protocol': '2' }, 400, 'PEER_PROTOCOL_MISMATCH'],
    ['no version', { ...good, 'x-logcluster-protocol': '' }, 400, 'PEER_PROTOCOL_MISMATCH'],
    ['foreign cluster', { ...good, 'x-logcluster-cluster': 'other' }, 401, 'PEER_UNAUTHORIZED'],
    ['unknown sender', { ...good, 'x-logcluster-node': 'mallory' }, 401, 'PEER_UNAUTHORIZED'],
    ['sender is the receiver', { ...good, 'x-logcluster-node': 'node1' }, 401, 'PEER_UNAUTHORIZED'],
    ['huge sender id', { ...good, 'x-logcluster-node': 'x'.repeat(8_000) }, 401, 'PEER_UNAUTHORIZED'],
    ['wrong target', { ...good, 'x-logcluster-target': 'node3' }, 404, 'UNKNOWN_NODE'],
    ['another path', good, 404, 'ROUTE_NOT_FOUND', '/write'],
  ];
  for (const [what, headers, status, code, path] of cases) {
    const reply = await peerUpgrade(port, headers, path);
    t.is(reply.status, status, what);
    t.is(reply.body?.code, code, what);
    t.true(String(reply.body?.error ?? '').length < 300, `${what}: the refusal does not echo large input`);
    t.true(await closedWithin(reply.socket, CLOSE_DEADLINE_MS), `${what}: the socket is closed`);
  }
  const versioned = await peerUpgrade(port, { ...good, 'x-logcluster-protocol': '2' });
  t.is(versioned.body?.protocol_version, 1);
});

test.serial('malformed and foreign frames close only their connection', async (t) => {
  // A node whose only peer, a learner, never runs: nobody else competes for that peer's link
  // (a real peer reconnecting would replace the test's connection).
  const dir = await mkdtemp(join(tmpdir(), 'lc-peer-'));
  const solo = new StorageNode({
    id: 'solo',
    port: 0,
    dataDir: dir,
    peers: { ghost: 'http://127.0.0.1:9' },
    voters: ['solo'],
  });
  t.teardown(async () => {
    await solo.stop();
    await rm(dir, { recursive: true, force: true });
  });
  await solo.start();
  const keepalive = frame(Uint8Array.of(1, 0, 0));
  const heartbeat = (from: string, to: string) =>
    encodeFrame([{ type: 'heartbeat', from, to, term: 0, commit: 0, context: '' }]);
  const headers = peerHeaders('ghost', 'solo');
  const cases: Array<[string, Buffer]> = [
    ['length over FRAME_BYTES_MAX', frame(Uint8Array.of(1), 0xffffffff)],
    ['zero length', frame(new Uint8Array(0))],
    ['wrong version byte', frame(Uint8Array.of(2, 0, 0))],
    [
      'varint longer than 8 bytes',
      frame(Uint8Array.of(1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1)),
    ],
    ['count larger than the bytes left', frame(Uint8Array.of(1, 100))],
    ['trailing bytes', frame(Uint8Array.of(1, 0, 0, 7))],
    ['message from another node than the handshake', heartbeat('mallory', 'solo')],
    ['message to another node', heartbeat('ghost', 'node9')],
  ];
  for (const [what, bytes] of cases) {
    const reply = await peerUpgrade(solo.port, headers);
    t.is(reply.status, 101, `${what}: handshake accepted`);
    reply.socket.write(keepalive);
    t.false(await closedWithin(reply.socket, 200), `${what}: a valid keepalive keeps the connection`);
    reply.socket.write(bytes);
    t.true(await closedWithin(reply.socket, CLOSE_DEADLINE_MS), `${what}: closed`);
  }
  const client = new LogClusterClient({ nodes: [solo.url], retries: 0 });
  t.teardown(() => client.close());
  t.is((await client.write({ message: 'still here', id: 'still-here' })).id, 'still-here');
});

test.serial('random byte streams on an accepted connection do no harm', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      fc.uint8Array({ minLength: 1, maxLength: 4_096 }),
      fc.boolean(),
      async (bytes, asPeer3) => {
        const reply = await peerUpgrade(port, peerHeaders(asPeer3 ? 'node3' : 'node2', 'node1'));
        if (reply.status !== 101) return false;
        reply.socket.write(bytes);
        await closedWithin(reply.socket, 100); // closed, or waiting for the rest of a frame
        reply.socket.destroy();
        return true;
      },
    ),
    { numRuns: RANDOM_STREAMS },
  );
  t.pass();
});

test.serial('the cluster still elects, replicates and serves afterwards', async (t) => {
  const leader = await cluster.leader(10_000);
  t.truthy(leader);
  const client = new LogClusterClient({ nodes: Object.values(cluster.urls) });
  t.teardown(() => client.close());
  const written = await client.write({ message: 'after the attack', id: 'after-attack' });
  for (const url of Object.values(cluster.urls)) {
    const one = new LogClusterClient({ nodes: [url], retries: 0 });
    const record = await waitFor(
      `the write on ${url}`,
      () => one.read('after-attack', { consistency: 'local' }).catch(() => null),
      10_000,
    );
    one.close();
    t.is(record.index, written.index);
  }
});
