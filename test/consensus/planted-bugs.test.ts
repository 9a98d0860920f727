/**
 * Each planted bug (TEST ONLY, options.bugs) must change behaviour observably in a focused
 * scenario, and the same scenario must be safe without it. commitPreviousTerm is exercised in
 * figure8.test.ts and readWithoutQuorum in reads.test.ts.
 */
import test from 'ava';
import type { PlantedBugs } from '../../lib/consensus/index.js';
import type { Entry } from '../../lib/consensus/types.js';
import { dec, enc, TestCluster } from './helpers/cluster.js';

const ABC = ['a', 'b', 'c'];

/** c misses a committed entry; the leader dies; c campaigns against b, which holds the entry. */
function staleCandidate(bugs: PlantedBugs): TestCluster {
  const c = new TestCluster({ voters: ABC, seed: 61, options: { checkQuorum: false, bugs } });
  c.elect('a');
  c.isolate('c');
  c.propose('a', 'acked');
  c.deliverAll();
  c.crash('a');
  c.heal();
  c.raft('c').campaign();
  c.deliverAll();
  return c;
}

test('voteWithoutLogCheck off: a candidate missing a committed entry cannot win', (t) => {
  const c = staleCandidate({});
  t.not(c.raft('c').status().role, 'leader');
  t.deepEqual(c.appliedData('b'), ['acked']);
});

test('planted bug voteWithoutLogCheck: the stale candidate wins and a committed entry is lost', (t) => {
  const c = staleCandidate({ voteWithoutLogCheck: true });
  t.is(c.raft('c').status().role, 'leader');
  c.tick(2);
  t.deepEqual(c.appliedData('b'), ['acked'], 'b applied it while a led');
  t.deepEqual(c.appliedData('c'), [], 'the new leader never has it');
  const atTwo = (id: string) => c.node(id).applied.find((e) => e.index === 2);
  t.is(atTwo('b')?.type, 'normal');
  t.is(atTwo('c')?.type, 'noop', 'two nodes applied different entries at index 2');
});

function divergentFollower(bugs: PlantedBugs): TestCluster {
  const c = new TestCluster({ voters: ABC, seed: 62, options: { checkQuorum: false, bugs } });
  const e = (index: number, term: number, data: string): Entry => ({
    index,
    term,
    type: 'normal',
    data: enc(data),
  });
  for (const id of ['a', 'c']) {
    c.node(id).storage.append([e(1, 1, 'one'), e(2, 2, 'good')]);
    c.node(id).storage.hard = { term: 2, vote: null, commit: 1 };
  }
  c.node('b').storage.append([e(1, 1, 'one'), e(2, 1, 'divergent')]);
  c.node('b').storage.hard = { term: 1, vote: null, commit: 1 };
  for (const id of ABC) c.restart(id);
  c.elect('a');
  c.tick(3);
  return c;
}

test('appendWithoutPrevCheck off: the divergent follower is repaired', (t) => {
  const c = divergentFollower({});
  t.deepEqual(c.appliedData('b'), ['one', 'good']);
});

test('planted bug appendWithoutPrevCheck: the follower applies a different entry at index 2', (t) => {
  const c = divergentFollower({ appendWithoutPrevCheck: true });
  t.deepEqual(c.appliedData('a'), ['one', 'good']);
  t.deepEqual(c.appliedData('b'), ['one', 'divergent']);
  t.is(dec(c.node('b').storage.ents[1].data), 'divergent');
});

test('leaderCountsUnpersisted: the commit moves before the leader persisted the entry', (t) => {
  for (const bug of [false, true]) {
    const c = new TestCluster({ voters: ['s'], options: { bugs: { leaderCountsUnpersisted: bug } } });
    c.elect('s');
    c.deliverAll();
    const r = c.propose('s', 'x');
    t.true(r.ok);
    const ready = c.raft('s').ready();
    t.is(ready.entries.length, 1);
    t.is(ready.hardState?.commit === 2, bug, `bug=${bug}: commit in the same Ready as the unpersisted entry`);
    c.raft('s').advance(ready);
  }
});
