import test from 'ava';
import { encodeConfigChange } from '../../lib/consensus/index.js';
import type { Entry } from '../../lib/consensus/types.js';
import { TestCluster } from './helpers/cluster.js';

const ABC = ['a', 'b', 'c'];

test('a learner receives the log, never counts toward commit, and is promoted to voter', (t) => {
  const c = new TestCluster({ voters: ABC, learners: ['l'], seed: 21 });
  c.elect('a');
  c.propose('a', 'x');
  c.deliverAll();
  t.deepEqual(c.appliedData('l'), ['x'], 'the learner applies committed entries');
  t.is(c.raft('l').status().role, 'learner');

  // With b and c down, a and the learner hold the entry but it must not commit.
  c.crash('b');
  c.crash('c');
  const r = c.propose('a', 'y');
  c.deliverAll();
  t.true(r.ok);
  t.is(c.raft('l').status().lastIndex, c.raft('a').status().lastIndex, 'the learner has it');
  t.is(c.raft('a').status().commitIndex, 2, 'not committed by the learner');

  c.restart('b');
  c.restart('c');
  c.tick(3);
  t.true(c.raft('a').proposeConfigChange({ kind: 'add-voter', node: 'l' }).ok);
  c.tick(3);
  t.deepEqual(c.raft('a').status().config, { voters: ['a', 'b', 'c', 'l'], learners: [] });
  t.is(c.raft('l').status().role, 'follower');
  // Now the promoted node votes: with a and b down, c and l (2 of 4) cannot elect; a third voter can.
  c.crash('a');
  c.tick(60);
  const leader = c.leader();
  t.truthy(leader);
  t.true(c.raft('l').status().term > 1);
});

test('a config takes effect on a follower as soon as it is appended, before it commits', (t) => {
  const c = new TestCluster({ voters: ABC, seed: 22, options: { checkQuorum: false } });
  c.elect('a');
  c.filter = (m) => m.type !== 'append-response'; // b and c append, a never learns it
  t.true(c.raft('a').proposeConfigChange({ kind: 'add-learner', node: 'x' }).ok);
  c.deliverAll();
  t.deepEqual(c.raft('a').status().config.learners, ['x'], 'effective on the leader at once');
  t.deepEqual(c.raft('b').status().config.learners, ['x'], 'effective on b before commit');
  t.is(c.raft('b').status().commitIndex, 1);
  t.is(c.raft('a').status().commitIndex, 1);
  c.filter = () => true;
  c.tick(2);
  t.is(c.raft('b').status().commitIndex, 2);
});

for (const initialConfig of ['bootstrap', 'latest', 'history'] as const) {
  test(`config entries in storage are replayed at restart and truncation reverts them (initialState: ${initialConfig})`, (t) => {
    const c = new TestCluster({ voters: ABC, seed: 23, options: { checkQuorum: false } });
    if (initialConfig === 'latest') {
      // A storage may report the membership in force (config entries included) from initialState.
      const storage = c.node('c').storage;
      const boot = storage.initialState.bind(storage);
      storage.initialState = () => ({ ...boot(), config: { voters: ABC, learners: ['x'] } });
    }
    const cfg = (index: number, term: number): Entry => ({
      index,
      term,
      type: 'config',
      data: encodeConfigChange({ kind: 'add-learner', node: 'x' }),
    });
    const noop = (index: number, term: number): Entry => ({
      index,
      term,
      type: 'noop',
      data: new Uint8Array(),
    });
    c.node('c').storage.append([noop(1, 1), cfg(2, 1)]);
    c.node('c').storage.hard = { term: 1, vote: null, commit: 1 };
    for (const id of ['a', 'b']) {
      c.node(id).storage.append([noop(1, 1), noop(2, 2)]);
      c.node(id).storage.hard = { term: 2, vote: null, commit: 1 };
    }
    if (initialConfig === 'history') {
      // The fast path: the storage hands over the configs it derived; the core must not scan.
      const storage = c.node('c').storage;
      storage.configHistory = () => [{ index: 2, config: { voters: ABC, learners: ['x'] } }];
      const entries = storage.entries.bind(storage);
      storage.entries = () => {
        throw new Error('scanned the log despite configHistory');
      };
      for (const id of ABC) c.restart(id);
      storage.entries = entries;
    } else {
      for (const id of ABC) c.restart(id);
    }
    t.deepEqual(c.raft('c').status().config.learners, ['x'], 'replayed from the log');
    c.elect('a');
    c.tick(2);
    t.deepEqual(c.raft('c').status().config.learners, [], 'reverted when the leader truncated it');
    t.is(c.node('c').storage.term(2), 2);
  });
}

test('one uncommitted config change at a time; none before the leader commits in its term', (t) => {
  const c = new TestCluster({ voters: ABC, seed: 24, options: { checkQuorum: false } });
  c.filter = (m) => m.type !== 'append-response';
  c.elect('a');
  t.deepEqual(c.raft('a').proposeConfigChange({ kind: 'add-learner', node: 'x' }), {
    ok: false,
    reason: 'config-change-pending',
    leaderId: 'a',
  });
  c.filter = () => true;
  c.tick(2);
  c.isolate('a');
  t.true(c.raft('a').proposeConfigChange({ kind: 'add-learner', node: 'x' }).ok);
  const second = c.raft('a').proposeConfigChange({ kind: 'add-learner', node: 'y' });
  t.deepEqual(second, { ok: false, reason: 'config-change-pending', leaderId: 'a' });
  const lastVoter = new TestCluster({ voters: ['solo'] });
  lastVoter.elect('solo');
  lastVoter.deliverAll();
  t.deepEqual(lastVoter.raft('solo').proposeConfigChange({ kind: 'remove', node: 'solo' }), {
    ok: false,
    reason: 'invalid-request',
    leaderId: 'solo',
  });
});

test('a leader that removes itself steps down once the removal commits and a voter takes over fast', (t) => {
  const c = new TestCluster({ voters: ABC, seed: 25 });
  c.elect('a');
  c.propose('a', 'x');
  c.deliverAll();
  t.true(c.raft('a').proposeConfigChange({ kind: 'remove', node: 'a' }).ok);
  c.deliverAll();
  t.not(c.raft('a').status().role, 'leader');
  const leader = c.leader();
  t.truthy(leader, 'timeout-now handed leadership over without waiting for an election timeout');
  t.deepEqual(leader!.raft.status().config, { voters: ['b', 'c'], learners: [] });
  c.propose(leader!.id, 'y');
  c.tick(50);
  t.deepEqual(c.appliedData('b'), ['x', 'y']);
  t.is(c.leader()?.id, leader!.id, 'the removed node never disrupts');
  t.true(c.raft('a').status().term <= leader!.raft.status().term, 'the removed node never campaigned');
  t.is(c.raft('a').status().role, 'follower');
});

test('demoting a voter to learner and removing a follower', (t) => {
  const c = new TestCluster({ voters: ABC, seed: 26 });
  c.elect('a');
  t.true(c.raft('a').proposeConfigChange({ kind: 'add-learner', node: 'c' }).ok);
  c.tick(2);
  t.is(c.raft('c').status().role, 'learner');
  t.true(c.raft('a').proposeConfigChange({ kind: 'remove', node: 'c' }).ok);
  c.tick(2);
  t.deepEqual(c.raft('a').status().config, { voters: ['a', 'b'], learners: [] });
  t.is(c.raft('a').status().progress.length, 2);
  c.propose('a', 'z');
  c.tick(2);
  t.deepEqual(c.appliedData('b'), ['z']);
});

test('a learner promoted but not yet holding its promotion still answers votes, so the cluster elects', (t) => {
  const c = new TestCluster({ voters: ABC, learners: ['l'], seed: 27 });
  c.elect('a');
  c.filter = (m) => !(m.type === 'append' && m.to === 'l' && m.entries.some((e) => e.type === 'config'));
  t.true(c.raft('a').proposeConfigChange({ kind: 'add-voter', node: 'l' }).ok);
  c.tick(2);
  t.is(c.raft('b').status().commitIndex, 2, 'the promotion committed without l');
  t.is(c.raft('l').status().role, 'learner', 'l has not seen it');
  // a dies: b and c need a third vote among {a, b, c, l}, and only l can give it.
  c.crash('a');
  c.filter = (m) => !(m.type === 'append' && m.to === 'l');
  c.tick(60);
  const leader = c.leader();
  t.truthy(leader);
  t.true(leader!.id === 'b' || leader!.id === 'c');
  c.filter = () => true;
  c.tick(3);
  t.is(c.raft('l').status().role, 'follower', 'promoted once the new leader replicated the entry');
});

test('a node demoted by its own uncommitted entry still campaigns, so its longer log does not block the cluster', (t) => {
  // Found by the simulator (seed 41786): a leader demotes itself, loses its quorum before the
  // demotion commits, and then holds the most up-to-date log of the reachable voters.
  const c = new TestCluster({ voters: ['a', 'b', 'c', 'd'], seed: 28 });
  c.elect('a');
  c.propose('a', 'x');
  c.deliverAll();
  c.isolate('a');
  c.isolate('d'); // b and c alone (2 of 4) cannot elect anyone meanwhile
  c.propose('a', 'orphan?');
  t.true(c.raft('a').proposeConfigChange({ kind: 'add-learner', node: 'a' }).ok);
  c.deliverAll();
  t.is(c.raft('a').status().config.learners[0], 'a', 'demoted in its own view');
  c.tick(25);
  t.not(c.raft('a').status().role, 'leader', 'CheckQuorum deposed it');
  c.heal();
  c.isolate('d');
  c.tick(60);
  const leader = c.leader();
  t.truthy(leader, 'someone leads: b and c need a (the longest log) and a campaigns');
  t.deepEqual(leader?.raft.status().config, { voters: ['b', 'c', 'd'], learners: ['a'] });
  t.true(c.appliedData('b').includes('orphan?'), 'a won, so its entries committed');
  t.is(c.raft('a').status().role, 'learner', 'and once its demotion committed it stepped down');
});
