import test from 'ava';
import { type ErrorCode, isLogClusterError } from '../../lib/errors.js';
import { encodeEntry } from '../../lib/node/entries/payload.js';
import { validateEntry } from '../../lib/node/entries/validate.js';
import { StateMachine } from '../../lib/node/state-machine.js';
import { machine } from './memory-log.js';

function code(run: () => unknown): ErrorCode | undefined {
  try {
    run();
  } catch (error) {
    if (isLogClusterError(error)) return error.code;
    throw error;
  }
  return undefined;
}

test('apply indexes entries; read by file_path index and by id returns verified records', (t) => {
  const { sm, write } = machine();
  const first = write({ message: 'one', id: 'a-1' });
  const second = write({ message: 'two' });
  t.deepEqual(first, { id: 'a-1', index: 1, term: 1, duplicate: false });
  t.is(second.index, 2);
  t.is(sm.read({ kind: 'index', index: 1 }).original_data.message, 'one');
  t.is(sm.read({ kind: 'id', id: 'a-1' }).index, 1);
  t.is(sm.read({ kind: 'id', id: second.id }).original_data.message, 'two');
  t.is(sm.appliedIndex, 2);
  t.is(
    code(() => sm.read({ kind: 'index', index: 3 })),
    'NOT_FOUND',
  );
  t.is(
    code(() => sm.read({ kind: 'id', id: 'nope' })),
    'NOT_FOUND',
  );
});

test('skipped (noop/config) indexes advance the applied index and read as NOT_FOUND', (t) => {
  const { sm, log, write } = machine();
  write({ message: 'one' });
  log.lastIndex++;
  sm.skip(2);
  const result = write({ message: 'three' });
  t.is(result.index, 3);
  t.is(sm.appliedIndex, 3);
  t.is(
    code(() => sm.read({ kind: 'index', index: 2 })),
    'NOT_FOUND',
  );
  t.throws(() => sm.skip(3), { message: /invariant/ });
});

test('a retried id is a duplicate: not indexed, answered with the first copy', (t) => {
  const { sm, write } = machine();
  write({ message: 'first', id: 'order-7' });
  write({ message: 'other' });
  const retry = write({ message: 'first again', id: 'order-7' });
  t.deepEqual(retry, { id: 'order-7', index: 1, term: 1, duplicate: true });
  t.is(
    code(() => sm.read({ kind: 'index', index: 3 })),
    'NOT_FOUND',
  );
  t.is(sm.read({ kind: 'id', id: 'order-7' }).original_data.message, 'first');
  t.is(sm.query({ limit: 10, order: 'asc' }).entries.length, 2);
  t.is(sm.stats().duplicates, 1);
});

test('the window forgets by count: the oldest id leaves first', (t) => {
  const { write } = machine({ dedupEntriesMax: 3 });
  for (const id of ['a', 'b', 'c', 'd']) write({ message: id, id });
  t.false(write({ message: 'a again', id: 'a' }).duplicate, 'a was evicted by count');
  t.true(write({ message: 'c again', id: 'c' }).duplicate);
});

test("the window forgets by age, measured by the leader's accept clock in the entries", (t) => {
  const { write } = machine({ dedupAgeMs: 60_000 });
  const t0 = Date.UTC(2024, 0, 1);
  write({ message: 'old', id: 'old', timestamp: 0 }, t0);
  write({ message: 'new', id: 'new' }, t0 + 30_000);
  t.true(write({ message: 'old retry', id: 'old' }, t0 + 59_000).duplicate);
  t.false(write({ message: 'old retry 2', id: 'old' }, t0 + 61_000).duplicate, 'aged out');
  t.true(write({ message: 'new retry', id: 'new' }, t0 + 61_000).duplicate);
  // A client timestamp far in the future does not move the window's clock.
  write({ message: 'future', id: 'f', timestamp: '9999-01-01' }, t0 + 62_000);
  t.true(write({ message: 'new retry 2', id: 'new' }, t0 + 63_000).duplicate);
});

test('dedup survives snapshot/restore on another replica, which then agrees on every decision', (t) => {
  const a = machine({ dedupEntriesMax: 100 });
  for (let i = 0; i < 10; i++) a.write({ message: `m${i}`, id: `id-${i}` });
  const snapshot = a.sm.snapshot();
  const b = new StateMachine({ readEntry: a.log.read, dedupEntriesMax: 100 });
  b.restore(snapshot);
  t.is(b.appliedIndex, 10);
  t.is(
    code(() => b.read({ kind: 'index', index: 5 })),
    'COMPACTED',
  );
  t.is(
    code(() => b.read({ kind: 'id', id: 'id-5' })),
    'COMPACTED',
  );
  const retry = encodeEntry(validateEntry({ message: 'again', id: 'id-3' }), {
    nodeId: 'n',
    nowMs: Date.UTC(2024, 4, 1, 1),
  });
  const fresh = encodeEntry(validateEntry({ message: 'fresh', id: 'id-99' }), {
    nodeId: 'n',
    nowMs: Date.UTC(2024, 4, 1, 1),
  });
  const decisions = [retry, fresh].map((payload) => {
    const stored = a.log.append(payload);
    const onB = b.apply(stored.index, stored.term, stored.payload);
    t.deepEqual(onB, a.sm.apply(stored.index, stored.term, stored.payload));
    return onB.duplicate;
  });
  t.deepEqual(decisions, [true, false]);
  t.is(a.sm.read({ kind: 'id', id: 'id-3' }).index, 4);
  t.deepEqual(Buffer.from(b.snapshot()), Buffer.from(a.sm.snapshot()));
  t.is(b.read({ kind: 'index', index: 12 }).id, 'id-99');
});

test('snapshot bytes are identical on replicas that applied the same entries', (t) => {
  const a = machine();
  for (let i = 0; i < 5; i++) a.write({ message: `m${i}`, id: i % 2 === 0 ? 'even' : undefined });
  const b = new StateMachine({ readEntry: a.log.read });
  for (const stored of a.log.entries.values()) b.apply(stored.index, stored.term, stored.payload);
  t.deepEqual(Buffer.from(b.snapshot()), Buffer.from(a.sm.snapshot()));
});

test('retention: dropBefore forgets indexes; reads below answer COMPACTED, queries skip them', (t) => {
  const { sm, log, write } = machine();
  for (let i = 1; i <= 10; i++) write({ message: `m${i}`, id: `r${i}`, level: i % 2 ? 'info' : 'error' });
  sm.dropBefore(6);
  log.compact(6);
  t.is(
    code(() => sm.read({ kind: 'index', index: 3 })),
    'COMPACTED',
  );
  t.is(
    code(() => sm.read({ kind: 'id', id: 'r3' })),
    'COMPACTED',
  );
  t.is(sm.read({ kind: 'index', index: 6 }).id, 'r6');
  t.deepEqual(
    sm.query({ limit: 100, order: 'asc' }).entries.map((e) => e.index),
    [6, 7, 8, 9, 10],
  );
  t.deepEqual(
    sm.query({ levels: ['error'], limit: 100, order: 'desc' }).entries.map((e) => e.index),
    [10, 8, 6],
  );
  t.is(sm.stats().first_index, 6);
  t.is(sm.stats().entries, 5);
});

test('an index whose entry left the log answers COMPACTED; a corrupted one STORAGE_CORRUPT', (t) => {
  const { sm, log, write } = machine();
  write({ message: 'one' });
  write({ message: 'two', id: 'two' });
  log.entries.delete(1);
  t.is(
    code(() => sm.read({ kind: 'index', index: 1 })),
    'COMPACTED',
  );
  const stored = log.entries.get(2)!;
  const bad = Uint8Array.from(stored.payload);
  bad[bad.length - 4] ^= 0x20;
  log.entries.set(2, { ...stored, payload: bad });
  t.is(
    code(() => sm.read({ kind: 'index', index: 2 })),
    'STORAGE_CORRUPT',
  );
  t.is(
    code(() => sm.read({ kind: 'id', id: 'two' })),
    'STORAGE_CORRUPT',
  );
  t.is(
    code(() => sm.query({ limit: 10, order: 'asc' })),
    'STORAGE_CORRUPT',
  );
});

test('reads by id beyond the dedup window go through the id table', (t) => {
  const { sm, write } = machine({ dedupEntriesMax: 2 });
  for (let i = 0; i < 50; i++) write({ message: `m${i}`, id: `id-${i}` });
  for (let i = 0; i < 50; i++) t.is(sm.read({ kind: 'id', id: `id-${i}` }).original_data.message, `m${i}`);
  t.is(
    code(() => sm.read({ kind: 'id', id: 'id-50' })),
    'NOT_FOUND',
  );
});

test('applying out of order is a broken invariant, a malformed payload too', (t) => {
  const { sm, write } = machine();
  write({ message: 'x' });
  t.throws(() => sm.apply(1, 1, new Uint8Array()), { message: /invariant/ });
  t.throws(() => sm.apply(5, 1, Buffer.from('not a payload')), { message: /invariant/ });
});

test('a snapshot whose window runs ahead of its applied index is refused (a node bug)', (t) => {
  const a = machine();
  a.write({ message: 'x', id: 'x' });
  const bytes = Buffer.from(a.sm.snapshot());
  const text = bytes.toString('utf8').replace('"applied":1', '"applied":0');
  t.throws(() => new StateMachine({ readEntry: a.log.read }).restore(Buffer.from(text)), {
    message: /invariant/,
  });
});
