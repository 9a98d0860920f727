import test from 'ava';
import type { Message, NodeId } from '../../lib/consensus/types.js';
import { FaultFilter } from '../../lib/transport/fault-filter.js';
import { MemoryNetwork } from '../../lib/transport/memory-transport.js';
import type { PeerStats, ReceiveHandler, Transport } from '../../lib/transport/transport.js';
import { heartbeat } from './helpers.js';

/** Three filtered nodes on one hub; `got(id)` lists the senders of everything `id` received. */
function trio() {
  const network = new MemoryNetwork();
  const received = new Map<NodeId, NodeId[]>();
  const nodes = new Map<NodeId, FaultFilter>();
  for (const id of ['node1', 'node2', 'node3']) {
    const filter = new FaultFilter(network.connect(id));
    received.set(id, []);
    filter.onReceive((batch) => {
      for (const m of batch) received.get(id)!.push(m.from);
    });
    nodes.set(id, filter);
  }
  /** Every node sends one message to every other node, then waits for the hub to settle. */
  const round = async (): Promise<void> => {
    for (const [from, filter] of nodes) {
      filter.send([...nodes.keys()].filter((to) => to !== from).map((to) => heartbeat(from, to, 'x')));
    }
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
  };
  const got = (id: NodeId): NodeId[] => received.get(id)!.splice(0).sort();
  return { node: (id: NodeId) => nodes.get(id)!, round, got };
}

test('no fault: everything flows', async (t) => {
  const { round, got } = trio();
  await round();
  t.deepEqual(got('node1'), ['node2', 'node3']);
  t.deepEqual(got('node2'), ['node1', 'node3']);
});

test('one-way outbound: node1 cannot reach node2, node2 still reaches node1', async (t) => {
  const { node, round, got } = trio();
  node('node1').blockOutbound('node2');
  await round();
  t.deepEqual(got('node2'), ['node3']);
  t.deepEqual(got('node1'), ['node2', 'node3']);
  t.is(node('node1').stats().node2.dropped, 1);
  t.deepEqual(node('node1').faults(), { outbound: ['node2'], inbound: [], isolated: false });
});

test('one-way inbound: node1 deaf to node3, node3 still hears node1', async (t) => {
  const { node, round, got } = trio();
  node('node1').blockInbound('node3');
  await round();
  t.deepEqual(got('node1'), ['node2']);
  t.deepEqual(got('node3'), ['node1', 'node2']);
});

test('both ways, isolate and heal', async (t) => {
  const { node, round, got } = trio();
  node('node1').block('node2');
  await round();
  t.deepEqual(got('node1'), ['node3']);
  t.deepEqual(got('node2'), ['node3']);
  t.deepEqual(got('node3'), ['node1', 'node2']);

  node('node1').heal('node2');
  node('node3').isolate();
  await round();
  t.deepEqual(got('node1'), ['node2']);
  t.deepEqual(got('node3'), []);
  t.true(node('node3').faults().isolated);

  node('node3').heal();
  await round();
  t.deepEqual(got('node3'), ['node1', 'node2']);
  t.deepEqual(node('node3').faults(), { outbound: [], inbound: [], isolated: false });
});

test('with no fault set the batch passes through untouched (same array)', (t) => {
  const seen: (readonly Message[])[] = [];
  let deliver: ReceiveHandler = () => {};
  const inner: Transport = {
    send: (messages) => seen.push(messages),
    onReceive: (handler) => (deliver = handler),
    close: async () => {},
    stats: (): Record<NodeId, PeerStats> => ({}),
  };
  const filter = new FaultFilter(inner);
  const received: (readonly Message[])[] = [];
  filter.onReceive((batch) => received.push(batch));
  const batch = [heartbeat('node1', 'node2', 'x')];
  filter.send(batch);
  deliver(batch);
  t.is(seen[0], batch);
  t.is(received[0], batch);
  filter.blockOutbound('node2');
  filter.send(batch);
  t.is(seen.length, 1);
  t.is(filter.stats().node2.dropped, 1);
});
