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
