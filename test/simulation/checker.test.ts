import test from 'ava';
import type { Entry } from '../../lib/consensus/types.js';
import { Checker, INVARIANTS, InvariantViolation } from './checker.js';
import { chainDigest, EMPTY_CHAIN, payloadOf } from './digest.js';
import { LogMirror } from './log-mirror.js';

const NODES = ['n1', 'n2', 'n3'];

function entry(index: number, term: number, write?: number): Entry {
  return write === undefined
    ? { index, term, type: 'noop', data: new Uint8Array(0) }
    : { index, term, type: 'normal', data: payloadOf(write) };
}

function world() {
  const mirrors = new Map(NODES.map((n) => [n, new LogMirror()]));
  const checker = new Checker(NODES, (n) => mirrors.get(n));
  return { mirrors, checker, m: (n: string) => mirrors.get(n) as LogMirror };
}

function violated(t: import('ava').ExecutionContext, invariant: string, fn: () => void): void {
  const error = t.throws(fn, { instanceOf: InvariantViolation });
  t.is(error?.invariant, invariant);
}

test('a consistent history passes', (t) => {
  const { checker, m } = world();
  const log = [entry(1, 1), entry(2, 1, 0), entry(3, 1, 1)];
  for (const n of NODES) m(n).append(log);
  checker.observeRole('n1', true, 1);
  for (const n of NODES) for (const e of log) checker.apply(n, e, 1);
  checker.acknowledged(0, 2, 1);
  checker.observeRole('n1', false, 2);
  checker.observeRole('n2', true, 2);
  t.is(checker.committedIndex, 3);
  t.is(checker.leadersElected, 2);
  t.is(checker.ackedMaxIndex, 2);
});

test('two leaders in one term', (t) => {
  const { checker } = world();
  checker.observeRole('n1', true, 3);
  violated(t, INVARIANTS.electionSafety, () => checker.observeRole('n2', true, 3));
});

test('two votes in one term', (t) => {
  const { checker } = world();
  checker.voteGranted('n1', 'n2', 4);
  checker.voteGranted('n1', 'n2', 4);
  violated(t, INVARIANTS.voteOnce, () => checker.voteGranted('n1', 'n3', 4));
});

test('diverging applied sequences', (t) => {
  const { checker, m } = world();
  m('n1').append([entry(1, 1, 0)]);
  m('n2').append([entry(1, 2, 9)]);
  checker.apply('n1', entry(1, 1, 0), 1);
  violated(t, INVARIANTS.stateMachineSafety, () => checker.apply('n2', entry(1, 2, 9), 2));
});

test('a gap in one node applies', (t) => {
  const { checker, m } = world();
  m('n1').append([entry(1, 1), entry(2, 1)]);
  violated(t, INVARIANTS.applyOrder, () => checker.apply('n1', entry(2, 1), 1));
});

test('a write applied at two indexes', (t) => {
  const { checker, m } = world();
  m('n1').append([entry(1, 1, 5), entry(2, 1, 5)]);
  checker.apply('n1', entry(1, 1, 5), 1);
  violated(t, INVARIANTS.noDuplicate, () => checker.apply('n1', entry(2, 1, 5), 1));
});

test('a later leader missing a committed entry', (t) => {
  const { checker, m } = world();
  m('n1').append([entry(1, 1, 0)]);
  m('n2').append([entry(1, 1, 0)]);
  checker.apply('n1', entry(1, 1, 0), 1);
  checker.observeRole('n2', true, 2);
  violated(t, INVARIANTS.leaderCompleteness, () => checker.observeRole('n3', true, 3));
});

test('a committed entry that a current later leader lacks', (t) => {
  const { checker, m } = world();
  m('n1').append([entry(1, 1, 0)]);
  checker.observeRole('n3', true, 2);
  violated(t, INVARIANTS.leaderCompleteness, () => checker.apply('n1', entry(1, 1, 0), 1));
});

test('an acknowledged entry bounds leader completeness by the ack term', (t) => {
  const { checker, m } = world();
  m('n1').append([entry(1, 1, 0)]);
  checker.apply('n1', entry(1, 1, 0), 5);
  checker.observeRole('n2', true, 3);
  checker.acknowledged(0, 1, 1);
  violated(t, INVARIANTS.leaderCompleteness, () => checker.observeRole('n3', true, 4));
});

test('log matching: same index and term, different prefix', (t) => {
  const { checker, m } = world();
  m('n1').append([entry(1, 1, 0), entry(2, 2, 1)]);
  m('n2').append([entry(1, 2, 7), entry(2, 2, 1)]);
  checker.apply('n1', entry(1, 1, 0), 2);
  violated(t, INVARIANTS.logMatching, () => checker.apply('n1', entry(2, 2, 1), 2));
});

test('an acknowledged write must be applied where acknowledged', (t) => {
  const { checker, m } = world();
  m('n1').append([entry(1, 1, 0)]);
  checker.apply('n1', entry(1, 1, 0), 1);
  violated(t, INVARIANTS.ackedDurable, () => checker.acknowledged(3, 1, 1));
});

test('snapshots restore only the history', (t) => {
  const { checker, m } = world();
  m('n1').append([entry(1, 1, 0)]);
  checker.apply('n1', entry(1, 1, 0), 1);
  const digest = chainDigest(EMPTY_CHAIN, entry(1, 1, 0));
  checker.restored('n2', 1, digest);
  t.is(checker.appliedIndex('n2'), 1);
  violated(t, INVARIANTS.stateMachineSafety, () => checker.restored('n3', 1, digest + 1));
});
