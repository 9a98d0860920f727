import test from 'ava';
import fc from 'fast-check';
import { LEVELS, type Level } from '../../lib/node/entries/levels.js';
import type { LogRecord } from '../../lib/node/entries/record.js';
import { type LogFilter, type LogQuery, matchesFilter } from '../../lib/node/log-query.js';
import type { StateMachine } from '../../lib/node/state-machine.js';
import { machine } from './memory-log.js';

const T0 = Date.UTC(2024, 0, 1);
const SOURCES = ['api', 'worker', 'db'];

/** A log of `n` entries with pseudo-random fields; timestamps mostly rise, some jump back. */
function dataset(n: number, options: Parameters<typeof machine>[0] = {}) {
  const m = machine(options);
  let seed = 7;
  const rnd = (k: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % k;
  };
  for (let i = 0; i < n; i++) {
    const labels: Record<string, string> = {};
    if (rnd(2) === 0) labels.env = rnd(3) === 0 ? 'prod' : 'dev';
    if (rnd(4) === 0) labels.region = `r${rnd(3)}`;
    m.write({
      message: `message ${i} ${rnd(10) === 0 ? 'needle' : 'hay'}`,
      level: LEVELS[rnd(20) === 0 ? 5 : rnd(5)],
      source: SOURCES[rnd(3)],
      labels,
      timestamp: T0 + i * 1000 - (rnd(10) === 0 ? rnd(50_000) : 0),
    });
    if (rnd(50) === 0) {
      m.log.lastIndex++; // a noop entry between log entries
      m.sm.skip(m.log.lastIndex);
    }
  }
  const all: LogRecord[] = [];
  for (const stored of m.log.entries.values()) all.push(m.sm.read({ kind: 'index', index: stored.index }));
  return { ...m, all };
}

/** Every page of `query`, following next_after to the end. */
function pages(sm: StateMachine, query: LogQuery): { indexes: number[]; pageCount: number } {
  const indexes: number[] = [];
  let after = query.after;
  for (let pageCount = 1; pageCount < 10_000; pageCount++) {
    const page = sm.query({ ...query, after });
    t_assertOrder(page.entries, query.order);
    indexes.push(...page.entries.map((e) => e.index));
    if (page.next_after === null) return { indexes, pageCount };
    after = page.next_after;
  }
  throw new Error('paging does not end');
}

function t_assertOrder(entries: LogRecord[], order: 'asc' | 'desc') {
  for (let i = 1; i < entries.length; i++) {
    const ok =
      order === 'asc' ? entries[i].index > entries[i - 1].index : entries[i].index < entries[i - 1].index;
    if (!ok) throw new Error(`page out of ${order} order`);
  }
}

function oracle(all: LogRecord[], query: LogQuery): number[] {
  const matching = all.filter((r) => matchesFilter(r, query)).map((r) => r.index);
  const after = query.after;
  const cut = matching.filter((i) => after === undefined || (query.order === 'asc' ? i > after : i < after));
  return query.order === 'asc' ? cut : cut.reverse();
}

const data = dataset(5_000);

const filterArb: fc.Arbitrary<LogQuery> = fc.record(
  {
    levels: fc.subarray([...LEVELS] as Level[]),
    source: fc.constantFrom(...SOURCES, 'nobody'),
    sinceMs: fc.integer({ min: T0 - 10_000, max: T0 + 5_000_000 }),
    untilMs: fc.integer({ min: T0, max: T0 + 5_100_000 }),
    contains: fc.constantFrom('needle', 'message 4', 'absent'),
    labels: fc.constantFrom<Record<string, string>>(
      { env: 'prod' },
      { env: 'dev', region: 'r1' },
      { region: 'r2' },
      { env: 'none' },
    ),
    after: fc.integer({ min: 0, max: 5_200 }),
    limit: fc.integer({ min: 1, max: 300 }),
    order: fc.constantFrom('asc' as const, 'desc' as const),
  },
  { requiredKeys: ['limit', 'order'] },
);

test('every filter combination, paged to the end in both orders, equals a full scan', (t) => {
  fc.assert(
    fc.property(filterArb, (query) => {
      t.deepEqual(pages(data.sm, query).indexes, oracle(data.all, query), JSON.stringify(query));
    }),
    { numRuns: 300, seed: 42 },
  );
});

test('each filter on its own', (t) => {
  const cases: LogFilter[] = [
    { levels: ['error'] },
    { levels: ['warn', 'error', 'fatal'] },
    { levels: [] },
    { source: 'db' },
    { sinceMs: T0 + 1_000_000 },
    { untilMs: T0 + 10_000 },
    { sinceMs: T0 + 100_000, untilMs: T0 + 200_000 },
    { contains: 'needle' },
    { labels: { env: 'prod' } },
    { labels: { env: 'prod', region: 'r0' } },
  ];
  for (const filter of cases) {
    for (const order of ['asc', 'desc'] as const) {
      const query = { ...filter, limit: 100, order };
      const expected = oracle(data.all, query);
      t.deepEqual(pages(data.sm, query).indexes, expected, JSON.stringify(query));
      if (filter.levels?.length !== 0)
        t.true(expected.length > 0, `${JSON.stringify(filter)} matches something`);
    }
  }
});

test('cursor paging: limit-sized pages, next_after is the last index, null at the end', (t) => {
  const first = data.sm.query({ limit: 3, order: 'asc' });
  t.deepEqual(
    first.entries.map((e) => e.index),
    data.all.slice(0, 3).map((e) => e.index),
  );
  t.is(first.next_after, first.entries[2].index);
  const newest = data.sm.query({ limit: 2, order: 'desc' });
  t.deepEqual(
    newest.entries.map((e) => e.index),
    data.all
      .slice(-2)
      .reverse()
      .map((e) => e.index),
  );
  const older = data.sm.query({ limit: 2, order: 'desc', after: newest.next_after! });
  t.is(older.entries[0].index, data.all[data.all.length - 3].index);
  const last = data.sm.query({ limit: 10, order: 'asc', after: data.all[data.all.length - 2].index });
  t.is(last.entries.length, 1);
  t.is(last.next_after, null);
});

test('a page that exhausts its scan or read budget returns a cursor that resumes without loss', (t) => {
  const small = dataset(2_000, { queryBudget: { scanMax: 50, readsMax: 20 } });
  for (const order of ['asc', 'desc'] as const) {
    const query: LogQuery = { contains: 'needle', limit: 1000, order };
    const { indexes, pageCount } = pages(small.sm, query);
    t.deepEqual(indexes, oracle(small.all, query));
    t.true(pageCount > 10, `budget forced ${pageCount} pages`);
    const timed: LogQuery = { sinceMs: T0 + 1_500_000, levels: ['error'], limit: 1000, order };
    t.deepEqual(pages(small.sm, timed).indexes, oracle(small.all, timed));
  }
});

test('past the posting-list bound, source and label filters fall back to checking bodies', (t) => {
  const capped = dataset(1_000, { indexTermsMax: 4 });
  const filters: LogFilter[] = [
    { source: 'db' },
    { labels: { region: 'r1' } },
    { labels: { env: 'nobody' } },
  ];
  for (const filter of filters) {
    const query: LogQuery = { ...filter, limit: 50, order: 'desc' };
    t.deepEqual(pages(capped.sm, query).indexes, oracle(capped.all, query), JSON.stringify(filter));
  }
  // Without overflow, an unknown label pair answers at once with nothing.
  t.deepEqual(data.sm.query({ labels: { env: 'nobody' }, limit: 5, order: 'asc' }), {
    entries: [],
    next_after: null,
  });
});

test('retention keeps every filter exact on what remains', (t) => {
  const kept = dataset(3_000);
  const cut = kept.all[1_234].index;
  kept.sm.dropBefore(cut);
  kept.log.compact(cut);
  const remaining = kept.all.filter((r) => r.index >= cut);
  for (const filter of [
    {},
    { levels: ['error'] as Level[] },
    { source: 'api' },
    { labels: { env: 'dev' } },
  ]) {
    const query: LogQuery = { ...filter, limit: 200, order: 'asc' };
    t.deepEqual(pages(kept.sm, query).indexes, oracle(remaining, query));
  }
  // More writes after retention are indexed as before.
  kept.write({ message: 'after', level: 'fatal', source: 'late' });
  t.is(kept.sm.query({ source: 'late', limit: 5, order: 'asc' }).entries[0].original_data.message, 'after');
});
