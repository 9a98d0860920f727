import test from 'ava';
import type { Message } from '../../lib/consensus/types.js';
import { MemoryNetwork } from '../../lib/transport/memory-transport.js';
import { heartbeat, until } from './helpers.js';

function inbox(network: MemoryNetwork, id: string) {
  const transport = network.connect(id);
  const batches: Message[][] = [];
  transport.onReceive((batch) => batches.push([...batch]));
  return { transport, batches };
}

test('delivery is asynchronous, in order, one batch per destination per turn', async (t) => {
  const network = new MemoryNetwork();
  const a = inbox(network, 'node1');
  const b = inbox(network, 'node2');
  const c = inbox(network, 'node3');
  a.transport.send([heartbeat('node1', 'node2', '1'), heartbeat('node1', 'node3', '2')]);
  a.transport.send([heartbeat('node1', 'node2', '3')]);
  t.is(b.batches.length, 0, 'never delivered inside send');
  await until(() => b.batches.length > 0 && c.batches.length > 0, 'delivery');
  t.deepEqual(
    b.batches.map((batch) => batch.map((m) => (m.type === 'heartbeat' ? m.context : ''))),
    [['1', '3']],
  );
  t.is(c.batches.length, 1);
  t.like(a.transport.stats().node2, { sent: 2, dropped: 0, connected: true });
  t.like(b.transport.stats().node1, { received: 2 });
});

test('messages to a closed or absent node are dropped and counted', async (t) => {
  const network = new MemoryNetwork();
  const a = inbox(network, 'node1');
  const b = inbox(network, 'node2');
  await b.transport.close();
  a.transport.send([heartbeat('node1', 'node2', 'x'), heartbeat('node1', 'node7', 'y')]);
  await until(() => a.transport.stats().node7?.dropped === 1, 'drop');
  t.like(a.transport.stats().node2, { dropped: 1, connected: false });
  t.regex(a.transport.stats().node2.lastError ?? '', /not connected/);
  t.throws(() => network.connect('node1'), { message: /already connected/ });
  network.connect('node2'); // a restarted node may join again under its id
});

test('the per-peer queue is bounded', async (t) => {
  const network = new MemoryNetwork({ queueMessagesMax: 3 });
  const a = inbox(network, 'node1');
  const b = inbox(network, 'node2');
  a.transport.send(Array.from({ length: 5 }, (_, i) => heartbeat('node1', 'node2', `${i}`)));
  t.like(a.transport.stats().node2, { queued: 3, dropped: 2 });
  await until(() => b.batches.length === 1, 'delivery');
  t.is(b.batches[0].length, 3);
});

test('viaCodec sends every batch through the wire encoding', async (t) => {
  const network = new MemoryNetwork({ viaCodec: true });
  const a = inbox(network, 'node1');
  const b = inbox(network, 'node2');
  const data = new Uint8Array([7, 8, 9]);
  a.transport.send([
    {
      type: 'append',
      from: 'node1',
      to: 'node2',
      term: 2,
      prevIndex: 4,
      prevTerm: 1,
      commit: 3,
      entries: [{ index: 5, term: 2, type: 'normal', data }],
    },
  ]);
  await until(() => b.batches.length === 1, 'delivery');
  const got = b.batches[0][0];
  t.is(got.type, 'append');
  if (got.type !== 'append') return;
  t.not(got.entries[0].data, data, 'a decoded copy, not the sender object');
  t.deepEqual([...got.entries[0].data], [7, 8, 9]);
});
