import test from 'ava';
import { ELECTION_TICKS, UNREACHABLE_DELAY_SHARE } from '../../lib/consensus/index.js';
import { TestCluster, ticksToNewLeader } from './helpers/cluster.js';

const ABC = ['a', 'b', 'c'];
const ABCDE = ['a', 'b', 'c', 'd', 'e'];
/** The longest delay a report may leave before the follower polls (see leaderUnreachable). */
const DELAY_TICKS_MAX = Math.ceil(ELECTION_TICKS * UNREACHABLE_DELAY_SHARE);

test('followers told their dead leader is unreachable elect a new one within the short delay, without a split vote', (t) => {
  for (let seed = 1; seed <= 60; seed++) {
    const c = new TestCluster({ voters: ABC, seed });
    const old = c.elect('a');
    c.tick(3);
    const term = old.raft.status().term;
    c.crash('a');
    c.raft('b').reportUnreachable('a');
    c.raft('c').reportUnreachable('a');
    t.is(c.raft('b').status().leaderId, null, 'the dead leader is no longer named');
    const ticks = ticksToNewLeader(c, term, ELECTION_TICKS);
    t.not(ticks, undefined, `seed ${seed}: no leader within an election timeout`);
    t.true((ticks ?? 0) <= DELAY_TICKS_MAX, `seed ${seed}: took ${ticks} ticks`);
    t.is(c.leader()?.raft.status().term, term + 1, `seed ${seed}: one election, no split vote`);
  }
});

test('without the report the same crash takes at least an election timeout (the test has teeth)', (t) => {
  const c = new TestCluster({ voters: ABC, seed: 5 });
  c.elect('a');
  c.tick(3);
  const term = c.raft('a').status().term;
  c.crash('a');
  t.is(ticksToNewLeader(c, term, ELECTION_TICKS - 1), undefined);
});

test('one follower told alone cannot win: the other is still in its lease, and a leader then emerges by timeout', (t) => {
  const c = new TestCluster({ voters: ABC, seed: 11 });
  c.elect('a');
  c.tick(3);
  const term = c.raft('a').status().term;
  c.crash('a');
  c.raft('b').reportUnreachable('a');
  c.tick(DELAY_TICKS_MAX);
  t.is(c.raft('b').status().term, term, 'the refused poll raised no term');
  t.not(c.raft('b').status().role, 'leader');
  t.not(ticksToNewLeader(c, term, 3 * ELECTION_TICKS), undefined, 'the usual timeout still elects');
});

test('a wrong report about a live leader changes no term and the follower follows it again', (t) => {
  const c = new TestCluster({ voters: ABC, seed: 2 });
  c.elect('a');
  c.tick(3);
  const term = c.raft('a').status().term;
  for (let i = 0; i < 20; i++) {
    c.raft('b').reportUnreachable('a');
    c.tick(2);
  }
  c.tick(ELECTION_TICKS);
  t.is(c.raft('a').status().role, 'leader');
  for (const id of ABC) t.is(c.raft(id).status().term, term, id);
  t.is(c.raft('b').status().leaderId, 'a');
  t.is(c.raft('c').status().leaderId, 'a');
});

test('a report about a peer that is not the leader, or made to a leader, changes nothing', (t) => {
  const c = new TestCluster({ voters: ABC, seed: 4 });
  c.elect('a');
  c.tick(2);
  const term = c.raft('a').status().term;
  const before = c.delivered.length;
  c.raft('b').reportUnreachable('c');
  c.raft('a').reportUnreachable('b');
  c.raft('a').reportUnreachable('a');
  t.is(c.raft('b').status().leaderId, 'a');
  t.is(c.raft('a').status().role, 'leader');
  c.tick(ELECTION_TICKS * 2);
  for (const id of ABC) t.is(c.raft(id).status().term, term, id);
  t.false(
    c.delivered.slice(before).some((m) => m.type === 'pre-vote'),
    'nobody polled',
  );
});

test('two pre-candidates polling at once: the outranked one steps back, one election wins', (t) => {
  for (let seed = 1; seed <= 30; seed++) {
    const c = new TestCluster({ voters: ABC, seed });
    c.elect('a');
    c.tick(2);
    const term = c.raft('a').status().term;
    c.crash('a');
    c.raft('b').reportUnreachable('a');
    c.raft('c').reportUnreachable('a');
    // Both poll in the same instant: their polls cross.
    c.raft('c').campaign();
    c.raft('b').campaign();
    c.deliverAll();
    t.is(c.raft('b').status().role, 'leader', `seed ${seed}: equal logs, the smaller id wins`);
    t.is(c.raft('b').status().term, term + 1, `seed ${seed}`);
    t.is(c.raft('c').status().leaderId, 'b', `seed ${seed}`);
  }
});

test('a more up-to-date log outranks a smaller id when polls cross', (t) => {
  const c = new TestCluster({ voters: ABC, seed: 9 });
  c.elect('a');
  c.tick(2);
  c.cutOneWay('a', 'b');
  c.propose('a', 'only-c-has-it');
  c.deliverAll();
  c.crash('a');
  c.heal();
  const term = c.raft('c').status().term;
  c.raft('b').reportUnreachable('a');
  c.raft('c').reportUnreachable('a');
  c.raft('b').campaign();
  c.raft('c').campaign();
  c.deliverAll();
  t.is(c.raft('c').status().role, 'leader');
  t.is(c.raft('c').status().term, term + 1);
});

test('five nodes: the survivors of a dead leader elect quickly and agree on one leader per term', (t) => {
  for (let seed = 1; seed <= 30; seed++) {
    const c = new TestCluster({ voters: ABCDE, seed });
    c.elect('a');
    c.tick(2);
    const term = c.raft('a').status().term;
    c.crash('a');
    for (const id of ABCDE.slice(1)) c.raft(id).reportUnreachable('a');
    const ticks = ticksToNewLeader(c, term, 3 * ELECTION_TICKS);
    t.not(ticks, undefined, `seed ${seed}`);
    const leaders = ABCDE.slice(1).filter((id) => c.raft(id).status().role === 'leader');
    t.is(leaders.length, 1, `seed ${seed}`);
  }
});

test('a poll ignored inside a lease is asked again as soon as that peer polls too', (t) => {
  for (let seed = 1; seed <= 20; seed++) {
    const c = new TestCluster({ voters: ABC, seed });
    c.elect('a');
    c.tick(2);
    // b holds one more entry than c, so c's own poll will be refused by b.
    c.cutOneWay('a', 'c');
    c.propose('a', 'only-b-has-it');
    c.deliverAll();
    c.heal();
    c.crash('a');
    const term = c.raft('b').status().term;
    // b is told first and polls at once; c is still inside its lease and ignores the poll.
    c.raft('b').reportUnreachable('a');
    c.raft('b').campaign();
    c.deliverAll();
    t.is(c.raft('b').status().role, 'pre-candidate', `seed ${seed}`);
    c.raft('c').reportUnreachable('a');
    const ticks = ticksToNewLeader(c, term, ELECTION_TICKS - 1);
    t.not(ticks, undefined, `seed ${seed}: b waited a whole timeout to poll c again`);
    t.is(c.leader()?.id, 'b', `seed ${seed}`);
  }
});
