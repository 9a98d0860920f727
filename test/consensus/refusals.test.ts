import test from 'ava';
import { TestCluster } from './helpers/cluster.js';

const ABC = ['a', 'b', 'c'];

test('a follower refuses proposals, naming the leader it knows', (t) => {
  const c = new TestCluster({ voters: ABC, seed: 51 });
  c.elect('a');
  t.deepEqual(c.propose('b', 'x'), { ok: false, reason: 'not-leader', leaderId: 'a' });
  const fresh = new TestCluster({ voters: ABC, seed: 51 });
  t.deepEqual(fresh.propose('b', 'x'), { ok: false, reason: 'not-leader', leaderId: null });
});

test('window-full: past maxUncommittedEntries the leader refuses until entries commit', (t) => {
  const c = new TestCluster({
    voters: ABC,
    seed: 52,
    options: { maxUncommittedEntries: 5, checkQuorum: false },
  });
  c.elect('a');
  c.isolate('a');
  for (let i = 0; i < 5; i++) t.true(c.propose('a', `p${i}`).ok, `p${i}`);
  t.deepEqual(c.propose('a', 'one-too-many'), { ok: false, reason: 'window-full', leaderId: 'a' });
  c.heal();
  c.tick(3);
  t.true(c.propose('a', 'again').ok);
});

test('leadership transfer: the target catches up, gets timeout-now and wins the next term', (t) => {
  const c = new TestCluster({ voters: ABC, seed: 53 });
  c.elect('a');
  c.crash('c');
  for (let i = 0; i < 5; i++) c.propose('a', `p${i}`);
  c.deliverAll();
  c.restart('c');
  const term = c.raft('a').status().term;
  t.true(c.raft('a').transferLeadership('c').ok);
  t.is(c.raft('a').status().transferee, 'c');
  t.deepEqual(c.propose('a', 'blocked'), { ok: false, reason: 'transfer-in-progress', leaderId: 'a' });
  c.deliverAll();
  t.is(c.raft('c').status().role, 'leader');
  t.is(c.raft('c').status().term, term + 1);
  t.is(c.raft('a').status().leaderId, 'c');
  t.true(c.delivered.some((m) => m.type === 'timeout-now' && m.to === 'c'));
  c.tick(2);
  t.deepEqual(c.appliedData('c'), ['p0', 'p1', 'p2', 'p3', 'p4']);
});

test('a transfer to an unreachable target aborts after an election timeout and proposals resume', (t) => {
  const c = new TestCluster({ voters: ABC, seed: 54 });
  c.elect('a');
  c.propose('a', 'x');
  c.deliverAll();
  c.isolate('c');
  c.propose('a', 'y');
  c.deliverAll();
  t.true(c.raft('a').transferLeadership('c').ok);
  t.is(c.propose('a', 'z').ok, false);
  c.tick(10);
  t.is(c.raft('a').status().role, 'leader');
  t.is(c.raft('a').status().transferee, null);
  t.true(c.propose('a', 'z').ok);
});

test('transfer refusals: not leader, and a target that is not a voter', (t) => {
  const c = new TestCluster({ voters: ABC, learners: ['l'], seed: 55 });
  c.elect('a');
  t.deepEqual(c.raft('b').transferLeadership('c'), { ok: false, reason: 'not-leader', leaderId: 'a' });
  t.deepEqual(c.raft('a').transferLeadership('l'), { ok: false, reason: 'invalid-request', leaderId: 'a' });
  t.deepEqual(c.raft('a').transferLeadership('nobody'), {
    ok: false,
    reason: 'invalid-request',
    leaderId: 'a',
  });
});
