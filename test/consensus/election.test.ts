import test from 'ava';
import { TestCluster } from './helpers/cluster.js';

const ABC = ['a', 'b', 'c'];
const ABCDE = ['a', 'b', 'c', 'd', 'e'];

test('a leader is elected by ticks alone and every node follows it', (t) => {
  const c = new TestCluster({ voters: ABC, seed: 7 });
  const leader = c.waitLeader();
  c.tick(3);
  const term = leader.raft.status().term;
  for (const id of ABC) {
    const s = c.raft(id).status();
    t.is(s.term, term, id);
    t.is(s.leaderId, leader.id, id);
  }
  // The noop of the new term commits everywhere.
  for (const id of ABC) t.true(c.raft(id).status().commitIndex >= 1, id);
});

test('at most one leader per term across many seeds with lossy delivery', (t) => {
  for (let seed = 1; seed <= 40; seed++) {
    const c = new TestCluster({ voters: ABCDE, seed });
    let n = 0;
    c.filter = () => (n++ * 7919 + seed) % 5 !== 0; // drop one message in five, deterministically
    const leaders = new Map<number, string>();
    for (let tick = 0; tick < 150; tick++) {
      c.tick();
      for (const id of ABCDE) {
        const s = c.raft(id).status();
        if (s.role !== 'leader') continue;
        const seen = leaders.get(s.term);
        t.true(seen === undefined || seen === id, `seed ${seed}: two leaders in term ${s.term}`);
        leaders.set(s.term, id);
      }
    }
    t.true(leaders.size >= 1, `seed ${seed}: someone got elected`);
  }
});

test('PreVote: a partitioned follower does not raise its term or disrupt the leader when it rejoins', (t) => {
  const c = new TestCluster({ voters: ABC, seed: 3 });
  const leader = c.elect('a');
  const term = leader.raft.status().term;
  c.isolate('c');
  c.tick(100);
  t.is(c.raft('c').status().term, term, 'the isolated node polls but never bumps its term');
  t.not(c.raft('c').status().role, 'leader');
  c.heal();
  c.tick(20);
  t.is(c.raft('a').status().role, 'leader');
  t.is(c.raft('a').status().term, term);
  t.is(c.raft('c').status().leaderId, 'a');
});

test('without PreVote the same rejoin disrupts the leader (the scenario has teeth)', (t) => {
  const c = new TestCluster({ voters: ABC, seed: 3, options: { preVote: false, checkQuorum: false } });
  c.elect('a');
  const term = c.raft('a').status().term;
  c.isolate('c');
  c.tick(100);
  t.true(c.raft('c').status().term > term + 3);
  c.heal();
  c.tick(40);
  t.true(c.raft('a').status().term > term, 'the old leader was deposed by the higher term');
});

test('CheckQuorum: an isolated leader steps down within two election timeouts; the rest elect a new one', (t) => {
  const c = new TestCluster({ voters: ABC, seed: 5 });
  c.elect('a');
  c.isolate('a');
  c.tick(20);
  t.not(c.raft('a').status().role, 'leader');
  c.tick(40);
  const s = c.leader();
  t.truthy(s);
  t.not(s?.id, 'a');
});

test('leader lease: a follower that heard from the leader recently ignores a vote request', (t) => {
  const c = new TestCluster({ voters: ABC, seed: 9 });
  c.elect('a');
  const term = c.raft('a').status().term;
  // b campaigns directly (a stale candidate); without transfer its request is ignored inside the lease.
  const vote = { type: 'vote', from: 'b', to: 'c', term: term + 1, lastIndex: 99, lastTerm: term } as const;
  c.raft('c').step({ ...vote, transfer: false });
  c.deliverAll();
  t.is(c.raft('c').status().term, term);
  t.is(c.raft('c').status().leaderId, 'a');
  // The same request marked as a leadership transfer is granted despite the lease.
  c.isolate('b');
  c.raft('c').step({ ...vote, transfer: true });
  t.is(c.raft('c').status().term, term + 1);
  const granted = c
    .raft('c')
    .ready()
    .messages.find((m) => m.type === 'vote-response');
  t.true(granted?.type === 'vote-response' && granted.granted);
});

test('a single voter elects itself at once on campaign()', (t) => {
  const c = new TestCluster({ voters: ['solo'] });
  c.raft('solo').campaign();
  c.deliverAll();
  t.is(c.raft('solo').status().role, 'leader');
  const r = c.propose('solo', 'x');
  t.true(r.ok);
  c.deliverAll();
  t.deepEqual(c.appliedData('solo'), ['x']);
});

test('learners never campaign', (t) => {
  const c = new TestCluster({ voters: ['a'], learners: ['l'], seed: 2 });
  c.crash('a');
  c.tick(100);
  t.is(c.raft('l').status().role, 'learner');
  t.is(c.raft('l').status().term, 0);
});

test('determinism: the same seeds give the identical message sequence', (t) => {
  const run = () => {
    const c = new TestCluster({ voters: ABCDE, seed: 42 });
    let n = 0;
    c.filter = () => n++ % 7 !== 3;
    for (let i = 0; i < 60; i++) {
      c.tick();
      const leader = c.leader();
      if (leader !== undefined && i % 5 === 0) c.propose(leader.id, `e${i}`);
    }
    return c.trace;
  };
  const first = run();
  t.true(first.length > 100);
  t.deepEqual(run(), first);
});
