import test from 'ava';
import type { Entry, Message } from '../../lib/consensus/types.js';
import { enc, TestCluster } from './helpers/cluster.js';

const ABC = ['a', 'b', 'c'];

const entry = (index: number, term: number, data = `v${index}t${term}`): Entry => ({
  index,
  term,
  type: 'normal',
  data: enc(data),
});

function run(from: number, to: number, term: number): Entry[] {
  const out: Entry[] = [];
  for (let i = from; i <= to; i++) out.push(entry(i, term));
  return out;
}

test('proposals replicate, commit and apply in the same order on every node', (t) => {
  const c = new TestCluster({ voters: ABC, seed: 11 });
  c.elect('a');
  const first = c.propose('a', 'x1', 'x2', 'x3');
  t.true(first.ok && first.index === 2, 'after the noop at 1');
  c.deliverAll();
  c.propose('a', 'x4');
  c.deliverAll();
  c.tick(2);
  for (const id of ABC) t.deepEqual(c.appliedData(id), ['x1', 'x2', 'x3', 'x4'], id);
  t.is(c.raft('c').status().commitIndex, 5);
});

test('batching: many proposals between two Readies leave in one append per follower', (t) => {
  const c = new TestCluster({ voters: ABC, seed: 12 });
  c.elect('a');
  for (let i = 0; i < 100; i++) c.propose('a', `p${i}`);
  const before = c.delivered.length;
  c.deliverAll();
  const appends = c.delivered
    .slice(before)
    .filter((m) => m.type === 'append' && m.to === 'b' && m.entries.length > 0);
  t.is(appends.length, 1);
  t.is(appends[0].type === 'append' ? appends[0].entries.length : 0, 100);
  t.is(c.appliedData('b').length, 100);
});

test('maxAppendBytes bounds the entries one append carries', (t) => {
  const c = new TestCluster({ voters: ABC, seed: 13, options: { maxAppendBytes: 100 } });
  c.elect('a');
  c.propose('a', ...Array.from({ length: 10 }, (_, i) => `${i}`.padStart(40, '.')));
  c.deliverAll();
  const appends = c.delivered.filter(
    (m): m is Extract<Message, { type: 'append' }> =>
      m.type === 'append' && m.to === 'b' && m.entries.length > 0,
  );
  t.true(appends.length >= 4);
  for (const m of appends) t.true(m.entries.length <= 2, `${m.entries.length} entries of 40 bytes under 100`);
  t.is(c.appliedData('b').length, 10);
});

test('pipelining: at most maxInflightAppends appends are in flight; acks resume the flow', (t) => {
  const c = new TestCluster({ voters: ABC, seed: 14, options: { maxInflightAppends: 4 } });
  c.elect('a');
  c.filter = (m) => !(m.type === 'append-response' && m.from === 'b');
  const before = c.delivered.length;
  for (let i = 0; i < 10; i++) {
    c.propose('a', `p${i}`);
    c.deliverAll(); // one Ready per proposal: one append each while the window has room
  }
  const toB = c.delivered
    .slice(before)
    .filter((m) => m.type === 'append' && m.to === 'b' && m.entries.length > 0);
  t.is(toB.length, 4, 'the window of 4 filled, then the leader waited');
  const progressB = c
    .raft('a')
    .status()
    .progress.find((p) => p.id === 'b');
  t.is(progressB?.state, 'replicate');
  t.is(progressB?.inflight, 4);
  t.is(c.appliedData('a').length, 10, 'c alone completes the quorum');
  c.filter = () => true;
  c.tick(3);
  t.is(c.appliedData('b').length, 10);
});

test('fast backtracking: a follower with 1000 divergent entries converges in two rejections', (t) => {
  const c = new TestCluster({ voters: ABC, seed: 15, options: { checkQuorum: false } });
  const common = run(1, 10, 1);
  for (const id of ['a', 'c']) {
    const s = c.node(id).storage;
    s.append([...common, ...run(11, 500, 3)]);
    s.hard = { term: 3, vote: null, commit: 10 };
  }
  const b = c.node('b').storage;
  b.append([...common, ...run(11, 1010, 2)]);
  b.hard = { term: 2, vote: null, commit: 10 };
  for (const id of ABC) c.restart(id);
  c.elect('a');
  c.tick(3);
  const rejections = c.delivered.filter((m) => m.type === 'append-response' && m.from === 'b' && !m.success);
  t.true(rejections.length <= 2, `${rejections.length} rejections`);
  t.is(c.raft('b').status().lastIndex, 501);
  t.deepEqual(
    c.node('b').storage.ents.map((e) => e.term),
    c.node('a').storage.ents.map((e) => e.term),
  );
});

test('a partitioned old leader accepts proposals that never commit and are truncated when it rejoins', (t) => {
  const ids = ['a', 'b', 'c', 'd', 'e'];
  const c = new TestCluster({ voters: ids, seed: 16 });
  c.elect('a');
  c.propose('a', 'committed');
  c.deliverAll();
  c.isolate('a');
  const orphans = ['o1', 'o2', 'o3'].map((p) => c.propose('a', p));
  t.true(
    orphans.every((r) => r.ok),
    'the old leader still accepts until CheckQuorum',
  );
  c.deliverAll();
  t.is(c.raft('a').status().commitIndex, 2);
  c.tick(40);
  const leader = c.leader();
  t.truthy(leader);
  t.not(leader?.id, 'a');
  c.propose(leader!.id, 'new');
  c.heal();
  c.tick(10);
  for (const id of ids) t.deepEqual(c.appliedData(id), ['committed', 'new'], id);
  const aLog = c.node('a').storage.ents.map((e) => e.data);
  t.false(
    aLog.some((d) => new TextDecoder().decode(d).startsWith('o')),
    'orphans truncated',
  );
});

test('a node rejoining with a longer but stale log does not win and is truncated', (t) => {
  const c = new TestCluster({ voters: ABC, seed: 17 });
  c.elect('a');
  c.isolate('a');
  for (let i = 0; i < 5; i++) c.propose('a', `stale${i}`);
  c.deliverAll();
  c.tick(40);
  const newLeader = c.leader();
  t.true(newLeader !== undefined && newLeader.id !== 'a');
  c.propose(newLeader!.id, 'fresh');
  c.deliverAll();
  t.true(c.raft('a').status().lastIndex > c.raft(newLeader!.id).status().lastIndex, 'a has the longer log');
  // The new leader dies; a rejoins and competes with the remaining up-to-date node.
  c.crash(newLeader!.id);
  c.heal();
  const other = ABC.find((id) => id !== 'a' && id !== newLeader!.id)!;
  c.raft('a').campaign();
  c.deliverAll();
  t.not(c.raft('a').status().role, 'leader', 'stale log refused');
  c.tick(60);
  t.is(c.leader()?.id, other);
  t.deepEqual(c.appliedData('a'), c.appliedData(other));
  t.true(c.appliedData('a').includes('fresh'));
  t.false(c.appliedData('a').some((d) => d.startsWith('stale')));
});

test('restart restores term, vote, commit and the membership from storage', (t) => {
  const c = new TestCluster({ voters: ABC, seed: 18 });
  c.elect('a');
  c.propose('a', 'x');
  c.deliverAll();
  t.true(c.raft('a').proposeConfigChange({ kind: 'add-learner', node: 'l' }).ok);
  c.tick(2);
  const before = c.raft('b').status();
  c.restart('b');
  const after = c.raft('b').status();
  t.is(after.term, before.term);
  t.is(after.commitIndex, before.commitIndex);
  t.deepEqual(after.config, { voters: ABC, learners: ['l'] });
  c.deliverAll();
  c.tick(2);
  t.deepEqual(c.appliedData('b'), ['x'], 'committed entries are handed out again after a restart');
});
