import test from 'ava';
import { ELECTION_TICKS, UNREACHABLE_DELAY_SHARE } from '../../lib/consensus/index.js';
import { TestCluster, ticksToNewLeader } from './helpers/cluster.js';

const ABC = ['a', 'b', 'c'];
/** The longest delay a report may leave before the follower polls (see peerReachable). */
const DELAY_TICKS_MAX = Math.ceil(ELECTION_TICKS * UNREACHABLE_DELAY_SHARE);

test('a starting cluster whose nodes learn their peers are up elects within the short delay, in term 1', (t) => {
  for (let seed = 1; seed <= 60; seed++) {
    const c = new TestCluster({ voters: ABC, seed });
    for (const id of ABC) for (const peer of ABC) if (peer !== id) c.raft(id).reportReachable(peer);
    const ticks = ticksToNewLeader(c, 0, ELECTION_TICKS);
    t.not(ticks, undefined, `seed ${seed}: no leader within an election timeout`);
    t.true((ticks ?? 0) <= DELAY_TICKS_MAX, `seed ${seed}: took ${ticks} ticks`);
    t.is(c.leader()?.raft.status().term, 1, `seed ${seed}: one election, no split vote`);
  }
});

test('without the reports the first election takes at least an election timeout (the test has teeth)', (t) => {
  for (let seed = 1; seed <= 20; seed++) {
    const c = new TestCluster({ voters: ABC, seed });
    t.is(ticksToNewLeader(c, 0, ELECTION_TICKS - 1), undefined, `seed ${seed}`);
  }
});

test('a follower with a leader ignores the report: no poll, no term change', (t) => {
  const c = new TestCluster({ voters: ABC, seed: 3 });
  c.elect('a');
  c.tick(3);
  const term = c.raft('a').status().term;
  c.cutOneWay('a', 'b'); // b hears nothing more from a, yet still names it as its leader
  c.raft('b').reportReachable('c');
  c.tick(DELAY_TICKS_MAX);
  t.is(c.raft('b').status().role, 'follower');
  t.is(c.raft('b').status().leaderId, 'a');
  t.is(c.raft('b').status().term, term);
});

test('a node restarted into a cluster that has a leader is refused by peers in their lease, and rejoins', (t) => {
  for (let seed = 1; seed <= 20; seed++) {
    const c = new TestCluster({ voters: ABC, seed });
    c.elect('a');
    c.tick(3);
    const term = c.raft('a').status().term;
    c.crash('c');
    c.restart('c');
    c.raft('c').reportReachable('a');
    c.raft('c').reportReachable('b');
    c.tick(DELAY_TICKS_MAX + 2);
    t.is(c.raft('a').status().role, 'leader', `seed ${seed}`);
    t.is(c.raft('a').status().term, term, `seed ${seed}: no new term`);
    t.is(c.raft('c').status().leaderId, 'a', `seed ${seed}: c follows the leader again`);
  }
});
