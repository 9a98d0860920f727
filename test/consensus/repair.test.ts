import test from 'ava';
import { TestCluster } from './helpers/cluster.js';

// A node whose damaged log was cut back (options.voteAfterCommit) must not help elect anyone
// until it holds again every entry it may have acknowledged.
test('a repairing node neither votes nor campaigns until its commit index reaches the repair point', (t) => {
  const c = new TestCluster({ voters: ['a', 'b', 'c'], seed: 3, perNode: { c: { voteAfterCommit: 40 } } });
  const first = c.waitLeader();
  t.not(first.id, 'c', 'the repairing node never campaigns');
  const other = first.id === 'a' ? 'b' : 'a';
  c.crash(first.id);
  c.tick(200);
  t.is(c.leader(), undefined, 'no leader: the only other voter refuses its vote');
  t.not(c.raft('c').status().role, 'candidate');
  c.restart(first.id);
  const leader = c.waitLeader();
  for (let i = 0; i < 50; i++) c.propose(leader.id, `entry ${i}`);
  c.deliverAll();
  c.tick(5);
  t.true(c.raft('c').status().commitIndex >= 40);
  c.crash(leader.id);
  const next = c.waitLeader();
  t.true(
    next.id === 'c' || next.id === (leader.id === other ? first.id : other),
    'once repaired it votes again',
  );
});

test('a follower whose log was cut back tells the leader through heartbeats and is sent the rest', (t) => {
  const c = new TestCluster({ voters: ['a', 'b', 'c'], seed: 5 });
  const leader = c.waitLeader();
  for (let i = 0; i < 20; i++) c.propose(leader.id, `entry ${i}`);
  c.deliverAll();
  const follower = ['a', 'b', 'c'].find((id) => id !== leader.id)!;
  const full = c.raft(follower).status().lastIndex;
  t.true(full >= 21);
  // Simulate the repair: the follower restarts from a log that ends 10 entries earlier.
  c.crash(follower);
  const storage = c.node(follower).storage;
  storage.ents.length = full - 10 - storage.snap.index;
  storage.hard = { ...storage.hard, commit: Math.min(storage.hard.commit, full - 10) };
  c.restart(follower);
  t.is(c.raft(follower).status().lastIndex, full - 10);
  c.tick(5); // heartbeats only: no new proposals
  c.deliverAll();
  t.is(c.raft(follower).status().lastIndex, full, 'the leader resent what the follower lost');
});
