import test from 'ava';
import { dec, enc, TestCluster } from './helpers/cluster.js';

const ABC = ['a', 'b', 'c'];

test('a far-behind follower gets a snapshot, then the rest of the log by appends', (t) => {
  const c = new TestCluster({ voters: ABC, seed: 31 });
  c.elect('a');
  c.crash('c');
  for (let i = 0; i < 50; i++) c.propose('a', `e${i}`);
  c.tick(2);
  const leaderStatus = c.raft('a').status();
  t.is(leaderStatus.appliedIndex, 51);
  c.node('a').storage.compact(40, leaderStatus.config, enc('app-state@40'));
  c.node('b').storage.compact(40, leaderStatus.config, enc('app-state@40'));
  t.is(c.raft('a').status().firstIndex, 41);
  c.restart('c');
  c.tick(5);
  const snapshots = c.delivered.filter((m) => m.type === 'snapshot' && m.to === 'c');
  t.is(snapshots.length, 1);
  const s = c.node('c').storage.snapshot();
  t.is(s.index, 40);
  t.is(dec(s.data), 'app-state@40');
  t.deepEqual(s.config, { voters: ABC, learners: [] });
  t.deepEqual(
    c.appliedData('c'),
    Array.from({ length: 11 }, (_, i) => `e${39 + i}`),
  );
  const cs = c.raft('c').status();
  t.is(cs.appliedIndex, 51);
  t.is(cs.commitIndex, 51);
  t.is(cs.firstIndex, 41);
  const progress = c
    .raft('a')
    .status()
    .progress.find((p) => p.id === 'c');
  t.is(progress?.state, 'replicate');
  t.is(progress?.matchIndex, 51);
  // Replication continues normally.
  c.propose('a', 'after');
  c.tick(2);
  t.is(c.appliedData('c').at(-1), 'after');
});

test('a lost snapshot is sent again after an election timeout', (t) => {
  const c = new TestCluster({ voters: ABC, seed: 32 });
  c.elect('a');
  c.crash('c');
  for (let i = 0; i < 20; i++) c.propose('a', `e${i}`);
  c.tick(2);
  c.node('a').storage.compact(15, c.raft('a').status().config);
  c.restart('c');
  let dropped = 0;
  c.filter = (m) => !(m.type === 'snapshot' && dropped++ === 0);
  c.tick(30);
  t.is(dropped, 2, 'one dropped, one delivered');
  t.is(c.raft('c').status().appliedIndex, 21);
});

test('a follower that already holds the snapshot point keeps its log and only moves its commit', (t) => {
  const c = new TestCluster({ voters: ABC, seed: 33 });
  const b = c.node('b');
  b.storage.append(
    Array.from({ length: 10 }, (_, i) => ({
      index: i + 1,
      term: 1,
      type: 'normal' as const,
      data: enc(`e${i + 1}`),
    })),
  );
  b.storage.hard = { term: 1, vote: null, commit: 2 };
  c.restart('b');
  const snapshot = { index: 8, term: 1, config: { voters: ABC, learners: [] }, data: enc('s') };
  c.raft('b').step({ type: 'snapshot', from: 'a', to: 'b', term: 1, snapshot });
  const ready = c.raft('b').ready();
  t.is(ready.snapshot, null, 'the log already holds 8/1: nothing to install');
  t.is(ready.hardState?.commit, 8);
  const reply = ready.messages[0];
  t.true(reply.type === 'append-response' && reply.success && reply.index === 8);
  c.raft('b').advance(ready);
  t.is(c.raft('b').status().lastIndex, 10, 'entries after the snapshot point are kept');
});
