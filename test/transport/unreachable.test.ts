import test, { type ExecutionContext } from 'ava';
import type { NodeId } from '../../lib/consensus/types.js';
import { FaultFilter } from '../../lib/transport/fault-filter.js';
import { heartbeat, startNodes, stopNode, type TestNode, until } from './helpers.js';

async function nodes(t: ExecutionContext, ids: readonly NodeId[]): Promise<TestNode[]> {
  const started = await startNodes(ids);
  for (const node of started) t.teardown(() => stopNode(node));
  return started;
}

test('a peer whose connection closes and whose address refuses connections is reported unreachable', async (t) => {
  const [a, b] = await nodes(t, ['node1', 'node2']);
  const reports: NodeId[] = [];
  a.transport.onPeerUnreachable((peer) => reports.push(peer));
  a.transport.send([heartbeat('node1', 'node2', 'hello')]);
  await until(() => b.batches.length === 1, 'first delivery');
  t.deepEqual(reports, [], 'nothing reported while the peer lives');
  // Nothing more is sent to node2: the link probes on its own after losing the connection.
  await stopNode(b);
  await until(() => reports.length > 0, 'the unreachable report');
  t.deepEqual([...new Set(reports)], ['node2']);
});

test('a peer that answers but refuses the upgrade is not reported (only a refused connection is)', async (t) => {
  const [a, b] = await nodes(t, ['node1', 'node2']);
  const reports: NodeId[] = [];
  a.transport.onPeerUnreachable((peer) => reports.push(peer));
  a.transport.send([heartbeat('node1', 'node2', 'hello')]);
  await until(() => b.batches.length === 1, 'first delivery');
  // node2's transport goes away but its HTTP server still listens and refuses upgrades.
  await b.transport.close();
  await until(() => !a.transport.stats().node2.connected, 'disconnect noticed');
  await until(() => (a.transport.stats().node2.lastError ?? '').includes('HTTP'), 'the refused upgrade');
  t.deepEqual(reports, []);
});

test('FaultFilter passes the reports on', async (t) => {
  const [a, b] = await nodes(t, ['node1', 'node2']);
  const filter = new FaultFilter(a.transport);
  const reports: NodeId[] = [];
  filter.onPeerUnreachable((peer) => reports.push(peer));
  filter.isolate();
  a.transport.send([heartbeat('node1', 'node2', 'hello')]);
  await until(() => b.batches.length === 1, 'first delivery');
  await stopNode(b);
  await until(() => reports.includes('node2'), 'the unreachable report through the filter');
  t.pass();
});
