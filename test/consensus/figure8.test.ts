/**
 * Figure 8 of the Raft paper: an entry of an earlier term stored on a majority is still not
 * committed by counting replicas; a later leader may overwrite it. It commits only once an entry
 * of the current leader's term is committed on top of it (§5.4.2).
 */
import test from 'ava';
import type { PlantedBugs } from '../../lib/consensus/index.js';
import type { Entry } from '../../lib/consensus/types.js';
import { enc, TestCluster } from './helpers/cluster.js';

const S = ['s1', 's2', 's3', 's4', 's5'];
const e = (index: number, term: number): Entry => ({
  index,
  term,
  type: 'normal',
  data: enc(`i${index}t${term}`),
});

/** State (b) of Figure 8 then (c): s1 leads term 4 and gets 2:2 onto s3 and s4 but nothing newer anywhere. */
function figure8(bugs: PlantedBugs = {}): TestCluster {
  // One entry per append, so 2:2 can reach followers without the term-4 noop behind it.
  const c = new TestCluster({ voters: S, seed: 8, options: { checkQuorum: false, maxAppendBytes: 1, bugs } });
  const logs: Record<string, Entry[]> = {
    s1: [e(1, 1), e(2, 2)],
    s2: [e(1, 1), e(2, 2)],
    s3: [e(1, 1)],
    s4: [e(1, 1)],
    s5: [e(1, 1), e(2, 3)],
  };
  for (const id of S) {
    const storage = c.node(id).storage;
    storage.append(logs[id]);
    storage.hard = { term: 3, vote: null, commit: 1 };
    c.restart(id);
  }
  // No follower accepts anything of term 4 (appends it would reject still pass, so s1 backtracks).
  c.filter = (m) =>
    !(
      m.type === 'append' &&
      m.entries.some((x) => x.term === 4) &&
      c.node(m.to).storage.term(m.prevIndex) === m.prevTerm
    );
  c.isolate('s5'); // down in the paper's state (c)
  c.elect('s1');
  return c;
}

test('an old-term entry on a majority is not committed and can be overwritten', (t) => {
  const c = figure8();
  t.is(c.raft('s1').status().term, 4);
  for (const id of ['s1', 's2', 's3']) t.is(c.node(id).storage.term(2), 2, `${id} holds 2:2`);
  t.is(c.raft('s1').status().commitIndex, 1, '2:2 is on a majority but not committed');
  // s1 crashes; s5 (log ends in term 3) wins and overwrites index 2 everywhere.
  c.crash('s1');
  c.heal();
  c.filter = () => true;
  c.raft('s5').campaign(); // refused, but s5 learns term 4
  c.deliverAll();
  c.elect('s5');
  c.tick(3);
  for (const id of ['s2', 's3', 's4', 's5']) t.is(c.node(id).storage.term(2), 3, id);
  for (const id of ['s2', 's3', 's4', 's5']) t.deepEqual(c.appliedData(id), ['i1t1', 'i2t3'], id);
  t.deepEqual(c.appliedData('s1'), ['i1t1'], 'nothing of term 2 was ever applied');
});

test('the old-term entry commits once an entry of the current term is replicated on top of it', (t) => {
  const c = figure8();
  t.is(c.raft('s1').status().commitIndex, 1);
  c.filter = () => true;
  c.tick(3);
  t.is(c.raft('s1').status().commitIndex, 3);
  t.deepEqual(c.appliedData('s3'), ['i1t1', 'i2t2']);
});

test('planted bug commitPreviousTerm: the old-term entry commits by counting and is then lost', (t) => {
  const c = figure8({ commitPreviousTerm: true });
  t.is(c.raft('s1').status().commitIndex, 2, 'committed by counting replicas of an earlier term');
  t.deepEqual(c.appliedData('s1'), ['i1t1', 'i2t2']);
  c.crash('s1');
  c.heal();
  c.filter = () => true;
  c.raft('s5').campaign(); // refused, but s5 learns term 4
  c.deliverAll();
  c.elect('s5');
  c.tick(3);
  t.deepEqual(
    c.appliedData('s5'),
    ['i1t1', 'i2t3'],
    'a later leader applies a different entry at the same index',
  );
});
