import test from 'ava';
import { Raft } from '../../lib/consensus/index.js';
import { Prng } from '../../lib/prng.js';
import { enc, TestCluster } from './helpers/cluster.js';
import { MemoryStorage } from './helpers/memory-storage.js';

const CONFIG = { voters: ['a', 'b', 'c'], learners: [] };

function follower(): { raft: Raft; storage: MemoryStorage } {
  const storage = new MemoryStorage(CONFIG);
  return { raft: new Raft({ id: 'b', storage, random: new Prng(1) }), storage };
}

test('hard state only when changed; mustSync for entries and term/vote, not for commit alone', (t) => {
  const { raft, storage } = follower();
  t.false(raft.hasReady(), 'a fresh node has nothing to do');
  const entries = [1, 2].map((index) => ({
    index,
    term: 1,
    type: 'normal' as const,
    data: enc(`e${index}`),
  }));
  raft.step({ type: 'append', from: 'a', to: 'b', term: 1, prevIndex: 0, prevTerm: 0, entries, commit: 0 });
  let ready = raft.ready();
  t.deepEqual(ready.hardState, { term: 1, vote: null, commit: 0 });
  t.is(ready.entries.length, 2);
  t.true(ready.mustSync);
  t.deepEqual(ready.committed, []);
  const ack = ready.messages[0];
  t.true(
    ack.type === 'append-response' && ack.success && ack.index === 2,
    'the ack rides with the entries it acks',
  );
  storage.persist(ready);
  raft.advance(ready);

  raft.step({ type: 'heartbeat', from: 'a', to: 'b', term: 1, commit: 2, context: '' });
  ready = raft.ready();
  t.deepEqual(ready.hardState, { term: 1, vote: null, commit: 2 });
  t.false(ready.mustSync, 'a commit-only change need not be fsynced');
  t.deepEqual(
    ready.committed.map((e) => e.index),
    [1, 2],
  );
  storage.persist(ready);
  raft.advance(ready);

  raft.step({ type: 'heartbeat', from: 'a', to: 'b', term: 1, commit: 2, context: '' });
  ready = raft.ready();
  t.is(ready.hardState, null, 'unchanged hard state is not repeated');
  t.is(ready.messages.length, 1);
  raft.advance(ready);
  t.false(raft.hasReady());
});

test('committed entries are handed out only once persisted', (t) => {
  const { raft, storage } = follower();
  const entries = [{ index: 1, term: 1, type: 'normal' as const, data: enc('x') }];
  // The leader already knows index 1 is committed; this follower has not persisted it yet.
  raft.step({ type: 'append', from: 'a', to: 'b', term: 1, prevIndex: 0, prevTerm: 0, entries, commit: 1 });
  const first = raft.ready();
  t.is(first.hardState?.commit, 1);
  t.deepEqual(first.committed, [], 'not applied in the Ready that persists it');
  storage.persist(first);
  raft.advance(first);
  const second = raft.ready();
  t.deepEqual(
    second.committed.map((e) => e.index),
    [1],
  );
  raft.advance(second);
});

test('input between ready() and advance() lands in the next Ready; a truncation re-sends the rewritten suffix', (t) => {
  const { raft, storage } = follower();
  const e = (index: number, term: number) => ({
    index,
    term,
    type: 'normal' as const,
    data: enc(`${index}/${term}`),
  });
  raft.step({
    type: 'append',
    from: 'a',
    to: 'b',
    term: 1,
    prevIndex: 0,
    prevTerm: 0,
    entries: [e(1, 1), e(2, 1)],
    commit: 0,
  });
  const first = raft.ready();
  t.throws(() => raft.ready(), { message: /before advance/ });
  // While the first Ready is being persisted, a new leader overwrites index 2.
  raft.step({
    type: 'append',
    from: 'c',
    to: 'b',
    term: 2,
    prevIndex: 1,
    prevTerm: 1,
    entries: [e(2, 2), e(3, 2)],
    commit: 0,
  });
  t.false(raft.hasReady(), 'nothing new is handed out while a Ready is outstanding');
  storage.persist(first);
  raft.advance(first);
  const second = raft.ready();
  t.deepEqual(
    second.entries.map((x) => `${x.index}/${x.term}`),
    ['2/2', '3/2'],
  );
  storage.persist(second);
  raft.advance(second);
  t.deepEqual(
    storage.ents.map((x) => `${x.index}/${x.term}`),
    ['1/1', '2/2', '3/2'],
  );
  t.is(raft.status().lastIndex, 3);
});

test('the leader commits only after persisting its own entry (single voter)', (t) => {
  const c = new TestCluster({ voters: ['s'] });
  c.elect('s');
  c.deliverAll();
  const r = c.propose('s', 'x');
  t.true(r.ok);
  t.is(c.raft('s').status().commitIndex, 1, 'not yet: the entry is not persisted');
  const ready = c.raft('s').ready();
  t.is(ready.entries.length, 1);
  c.node('s').storage.persist(ready);
  c.raft('s').advance(ready);
  t.is(c.raft('s').status().commitIndex, 2);
});
