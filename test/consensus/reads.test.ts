import test from 'ava';
import { TestCluster } from './helpers/cluster.js';

const ABC = ['a', 'b', 'c'];

test('ReadIndex on the leader: confirmed by a heartbeat round, at the commit index', (t) => {
  const c = new TestCluster({ voters: ABC, seed: 41 });
  c.elect('a');
  c.propose('a', 'x');
  c.deliverAll();
  t.deepEqual(c.raft('a').readIndex('r1'), { ok: true, pending: true });
  t.deepEqual(c.node('a').readStates, [], 'not before the quorum round');
  c.deliverAll();
  t.deepEqual(c.node('a').readStates, [{ context: 'r1', index: 2 }]);
});

test('ReadIndex via a follower: forwarded to the leader, the ReadState appears on the follower', (t) => {
  const c = new TestCluster({ voters: ABC, seed: 42 });
  c.elect('a');
  c.propose('a', 'x');
  c.deliverAll();
  t.deepEqual(c.raft('b').readIndex('rb'), { ok: true, pending: true });
  c.deliverAll();
  t.deepEqual(c.node('b').readStates, [{ context: 'rb', index: 2 }]);
  t.deepEqual(c.node('a').readStates, []);
});

test('ReadIndex waits for a quorum: an isolated leader never confirms and refuses when it steps down', (t) => {
  const c = new TestCluster({ voters: ABC, seed: 43 });
  c.elect('a');
  c.isolate('a');
  t.deepEqual(c.raft('a').readIndex('r'), { ok: true, pending: true });
  c.tick(25);
  t.deepEqual(c.node('a').readStates, []);
  t.deepEqual(c.node('a').readRefusals, [{ context: 'r', reason: 'not-leader', leaderId: null }]);
});

test('ReadIndex before the leader committed in its term waits for that commit', (t) => {
  const c = new TestCluster({ voters: ABC, seed: 44 });
  c.filter = (m) => m.type !== 'append-response';
  c.elect('a');
  t.deepEqual(c.raft('a').readIndex('early'), { ok: true, pending: true });
  c.deliverAll();
  t.deepEqual(c.node('a').readStates, []);
  c.filter = () => true;
  c.tick(2);
  t.deepEqual(c.node('a').readStates, [{ context: 'early', index: 1 }]);
});

test('a single voter answers ReadIndex immediately; no leader means a refusal value', (t) => {
  const solo = new TestCluster({ voters: ['s'] });
  solo.elect('s');
  solo.deliverAll();
  t.deepEqual(solo.raft('s').readIndex('q'), { ok: true, pending: true });
  solo.deliverAll();
  t.deepEqual(solo.node('s').readStates, [{ context: 'q', index: 1 }]);
  const c = new TestCluster({ voters: ABC, seed: 45 });
  t.deepEqual(c.raft('b').readIndex('z'), { ok: false, reason: 'not-leader', leaderId: null });
});

test('planted bug readWithoutQuorum: an isolated leader serves a read point without confirmation', (t) => {
  const c = new TestCluster({ voters: ABC, seed: 43, options: { bugs: { readWithoutQuorum: true } } });
  c.elect('a');
  c.isolate('a');
  c.raft('a').readIndex('stale');
  c.deliverAll();
  t.deepEqual(c.node('a').readStates, [{ context: 'stale', index: 1 }]);
});
