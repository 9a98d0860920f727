/**
 * The chaos checker on hand-made histories: a clean one passes, and each rule fires on the
 * history that breaks it (and only that rule where the history allows).
 */
import test from 'ava';
import { type AnomalyKind, check } from './checker.js';
import type { FinalEntry } from './final-state.js';
import type { LogsOp, Op, ReadOp, WriteOp } from './history.js';

let n = 0;

function write(
  ids: string[],
  outcome: WriteOp['outcome'],
  at: [number, number],
  indexes: number[] | null = null,
  code = 'NOT_LEADER',
): WriteOp {
  return {
    kind: 'write',
    n: ++n,
    client: 'w0',
    invokeMs: at[0],
    completeMs: at[1],
    outcome,
    entries: ids.map((id) => ({ id, value: `v-${id}` })),
    indexes,
    duplicate: false,
    attempts: [
      { node: 'n1', startMs: at[0], endMs: at[1], outcome, code: outcome === 'ok' ? undefined : code },
    ],
  };
}

function read(
  id: string,
  at: [number, number],
  seen: [number, string] | null,
  consistency: ReadOp['consistency'] = 'linearizable',
): ReadOp {
  return {
    kind: 'read',
    n: ++n,
    client: 'r0',
    node: 'n2',
    consistency,
    invokeMs: at[0],
    completeMs: at[1],
    outcome: 'ok',
    id,
    seen: seen && { index: seen[0], id, value: seen[1] },
  };
}

function logs(at: [number, number], seen: Array<[number, string]>): LogsOp {
  return {
    kind: 'logs',
    n: ++n,
    client: 'r0',
    node: 'n3',
    consistency: 'linearizable',
    invokeMs: at[0],
    completeMs: at[1],
    outcome: 'ok',
    limit: 50,
    seen: seen.map(([index, id]) => ({ index, id, value: `v-${id}` })),
  };
}

function entry(index: number, id: string, value = `v-${id}`): FinalEntry {
  return { index, id, term: 1, value, checksum: `c${index}${id}${value}` };
}

const clean = (): { ops: Op[]; log: FinalEntry[] } => ({
  ops: [
    write(['a'], 'ok', [0, 10], [1]),
    write(['b', 'c'], 'ok', [5, 20], [2, 3]),
    write(['d'], 'unknown', [21, 40]),
    write(['e'], 'fail', [22, 30]),
    read('a', [11, 12], [1, 'v-a']),
    read('c', [25, 26], [3, 'v-c']),
    read('d', [50, 51], null),
    logs(
      [30, 31],
      [
        [3, 'c'],
        [2, 'b'],
        [1, 'a'],
      ],
    ),
  ],
  log: [entry(1, 'a'), entry(2, 'b'), entry(3, 'c')],
});

function kinds(ops: Op[], logsByNode: Record<string, FinalEntry[]>, converged = true): AnomalyKind[] {
  const result = check({
    ops,
    finalLogs: new Map(Object.entries(logsByNode)),
    converged,
    convergeDetail: 'x',
    internal: [],
  });
  return [...new Set(result.anomalies.map((a) => a.kind))].sort();
}

test('a clean history has no anomaly (an unknown write may or may not be there)', (t) => {
  const { ops, log } = clean();
  t.deepEqual(kinds(ops, { n1: log, n2: log, n3: log }), []);
  const withUnknown = [...log, entry(4, 'd')];
  t.deepEqual(kinds(ops, { n1: withUnknown, n2: withUnknown }), []);
});

test('each broken promise is reported by its rule', (t) => {
  const { ops, log } = clean();
  t.deepEqual(kinds(ops, { n1: log, n2: log.slice(0, 2) }), ['logs-differ', 'lost-write']);
  t.deepEqual(kinds(ops, { n1: [...log, entry(4, 'a')] }), ['duplicate']);
  t.deepEqual(kinds(ops, { n1: [entry(1, 'a'), entry(2, 'b'), entry(4, 'c')] }), [
    'read-inconsistent',
    'wrong-index',
  ]);
  t.deepEqual(kinds(ops, { n1: [...log, entry(4, 'e')] }), ['failed-write-stored']);
  t.deepEqual(kinds(ops, { n1: [...log, entry(4, 'zz')] }), ['phantom']);
  t.deepEqual(kinds(ops, { n1: [entry(1, 'a'), entry(2, 'b'), entry(3, 'c', 'other')] }), ['wrong-value']);
  t.deepEqual(kinds(ops, { n1: log }, false), ['no-convergence']);
  const partial = [...ops, write(['x', 'y'], 'unknown', [60, 70])];
  t.deepEqual(kinds(partial, { n1: [...log, entry(4, 'x')] }), ['batch-partial']);
});

test('read rules: stale linearizable reads, failed or unwritten entries, wrong index or value', (t) => {
  const { ops, log } = clean();
  const logsByNode = { n1: log };
  t.deepEqual(kinds([...ops, read('a', [15, 16], null)], logsByNode), ['stale-read']);
  t.deepEqual(
    kinds([...ops, read('a', [5, 16], null)], logsByNode),
    [],
    'concurrent with the write: either is fine',
  );
  t.deepEqual(kinds([...ops, read('a', [15, 16], null, 'local')], logsByNode), [], 'local may be stale');
  t.deepEqual(kinds([...ops, logs([25, 26], [[1, 'a']])], logsByNode), ['stale-logs']);
  t.deepEqual(kinds([...ops, read('e', [40, 41], [4, 'v-e'], 'local')], logsByNode).sort(), [
    'read-failed-write',
    'read-inconsistent',
  ]);
  t.deepEqual(kinds([...ops, read('q', [40, 41], [4, 'v-q'], 'leader')], logsByNode), ['read-unwritten']);
  t.deepEqual(kinds([...ops, read('a', [40, 41], [2, 'v-a'], 'local')], logsByNode), ['read-inconsistent']);
  t.deepEqual(kinds([...ops, read('a', [40, 41], [1, 'stale'], 'leader')], logsByNode), [
    'read-inconsistent',
  ]);
});

test('internal errors are anomalies', (t) => {
  const { ops, log } = clean();
  const result = check({
    ops,
    finalLogs: new Map([['n1', log]]),
    converged: true,
    convergeDetail: '',
    internal: [{ op: 'write 9', detail: '500' }],
  });
  t.deepEqual(
    result.anomalies.map((a) => a.kind),
    ['internal-error'],
  );
});
