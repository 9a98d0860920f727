import test from 'ava';
import { type ErrorCode, isLogClusterError } from '../../../lib/errors.js';
import {
  BATCH_ENTRIES_MAX,
  ENTRY_BYTES_MAX,
  ID_BYTES_MAX,
  LABELS_MAX,
  MESSAGE_BYTES_MAX,
  ORIGINAL_DATA_DEPTH_MAX,
  SOURCE_BYTES_MAX,
} from '../../../lib/node/entries/limits.js';
import { validateEntries, validateEntry } from '../../../lib/node/entries/validate.js';

function refusal(t: import('ava').ExecutionContext, run: () => unknown, code: ErrorCode, field?: string) {
  const error = t.throws(run);
  t.true(isLogClusterError(error), `a LogClusterError, got ${error}`);
  if (!isLogClusterError(error)) return;
  t.is(error.code, code, error.message);
  if (field !== undefined) {
    t.is(error.details.field, field, error.message);
    t.true(error.message.includes(field), `the message names ${field}: ${error.message}`);
  }
}

const nested = (depth: number): unknown => (depth === 0 ? 1 : { a: nested(depth - 1) });

const bad: Array<[string, unknown, ErrorCode, string]> = [
  ['not an object', 'hello', 'INVALID_ENTRY', 'entry'],
  ['null entry', null, 'INVALID_ENTRY', 'entry'],
  ['array entry', [{ message: 'x' }], 'INVALID_ENTRY', 'entry'],
  ['missing message', { level: 'info' }, 'INVALID_ENTRY', 'message'],
  ['null message', { message: null }, 'INVALID_ENTRY', 'message'],
  ['empty message', { message: '' }, 'INVALID_ENTRY', 'message'],
  ['blank message', { message: '  \n ' }, 'INVALID_ENTRY', 'message'],
  ['numeric message', { message: 42 }, 'INVALID_ENTRY', 'message'],
  ['oversize message', { message: 'x'.repeat(MESSAGE_BYTES_MAX + 1) }, 'ENTRY_TOO_LARGE', 'message'],
  [
    'oversize message in UTF-8',
    { message: 'é'.repeat(MESSAGE_BYTES_MAX / 2 + 1) },
    'ENTRY_TOO_LARGE',
    'message',
  ],
  ['unknown level', { message: 'x', level: 'loud' }, 'INVALID_ENTRY', 'level'],
  ['numeric level', { message: 'x', level: 3 }, 'INVALID_ENTRY', 'level'],
  ['empty source', { message: 'x', source: '' }, 'INVALID_ENTRY', 'source'],
  ['object source', { message: 'x', source: { a: 1 } }, 'INVALID_ENTRY', 'source'],
  ['long source', { message: 'x', source: 's'.repeat(SOURCE_BYTES_MAX + 1) }, 'INVALID_ENTRY', 'source'],
  ['array labels', { message: 'x', labels: ['a'] }, 'INVALID_ENTRY', 'labels'],
  ['string labels', { message: 'x', labels: 'a=b' }, 'INVALID_ENTRY', 'labels'],
  ['nested label', { message: 'x', labels: { env: { a: 1 } } }, 'INVALID_ENTRY', 'labels.env'],
  ['null label', { message: 'x', labels: { env: null } }, 'INVALID_ENTRY', 'labels.env'],
  ['bad label key', { message: 'x', labels: { 'a b': 'c' } }, 'INVALID_ENTRY', 'labels.a b'],
  ['digit label key', { message: 'x', labels: { '1a': 'c' } }, 'INVALID_ENTRY', 'labels.1a'],
  ['long label value', { message: 'x', labels: { k: 'v'.repeat(257) } }, 'INVALID_ENTRY', 'labels.k'],
  [
    'too many labels',
    {
      message: 'x',
      labels: Object.fromEntries(Array.from({ length: LABELS_MAX + 1 }, (_, i) => [`k${i}`, 'v'])),
    },
    'INVALID_ENTRY',
    'labels',
  ],
  ['bad timestamp text', { message: 'x', timestamp: 'yesterday' }, 'INVALID_ENTRY', 'timestamp'],
  ['impossible date', { message: 'x', timestamp: '2024-02-30T00:00:00Z' }, 'INVALID_ENTRY', 'timestamp'],
  ['not a leap year', { message: 'x', timestamp: '2023-02-29' }, 'INVALID_ENTRY', 'timestamp'],
  ['bad hour', { message: 'x', timestamp: '2024-01-01T25:00:00Z' }, 'INVALID_ENTRY', 'timestamp'],
  ['negative epoch', { message: 'x', timestamp: -1 }, 'INVALID_ENTRY', 'timestamp'],
  ['infinite epoch', { message: 'x', timestamp: Number.POSITIVE_INFINITY }, 'INVALID_ENTRY', 'timestamp'],
  ['year 10000', { message: 'x', timestamp: 253402300800000 }, 'INVALID_ENTRY', 'timestamp'],
  ['boolean timestamp', { message: 'x', timestamp: true }, 'INVALID_ENTRY', 'timestamp'],
  ['invalid Date', { message: 'x', timestamp: new Date(Number.NaN) }, 'INVALID_ENTRY', 'timestamp'],
  ['numeric id', { message: 'x', id: 7 }, 'INVALID_ENTRY', 'id'],
  ['empty id', { message: 'x', id: '' }, 'INVALID_ENTRY', 'id'],
  ['id with slash', { message: 'x', id: 'a/b' }, 'INVALID_ENTRY', 'id'],
  ['id with dot-dot', { message: 'x', id: 'a..b' }, 'INVALID_ENTRY', 'id'],
  ['id starting with a dot', { message: 'x', id: '.hidden' }, 'INVALID_ENTRY', 'id'],
  ['id with a space', { message: 'x', id: 'a b' }, 'INVALID_ENTRY', 'id'],
  [
    'id shaped like a file_path',
    { message: 'x', id: 'log_00000000000000000001.json' },
    'INVALID_ENTRY',
    'id',
  ],
  ['long id', { message: 'x', id: 'a'.repeat(ID_BYTES_MAX + 1) }, 'INVALID_ENTRY', 'id'],
  ['__proto__ field', JSON.parse('{"message":"x","__proto__":{"polluted":1}}'), 'INVALID_ENTRY', '__proto__'],
  [
    '__proto__ label',
    { message: 'x', labels: JSON.parse('{"__proto__":"v"}') },
    'INVALID_ENTRY',
    'labels.__proto__',
  ],
  [
    'deep unknown field',
    { message: 'x', extra: nested(ORIGINAL_DATA_DEPTH_MAX + 1) },
    'INVALID_ENTRY',
    'extra',
  ],
  ['bigint unknown field', { message: 'x', extra: 1n }, 'INVALID_ENTRY', 'extra'],
  ['NaN unknown field', { message: 'x', extra: [Number.NaN] }, 'INVALID_ENTRY', 'extra'],
  ['oversize entry', { message: 'x', extra: 'y'.repeat(ENTRY_BYTES_MAX) }, 'ENTRY_TOO_LARGE', 'entry'],
];

for (const [name, raw, code, field] of bad) {
  test(`refuses ${name} with ${code} naming ${field}`, (t) => {
    refusal(t, () => validateEntry(raw), code, field);
  });
}

test('a minimal entry gets the defaults and a generated id', (t) => {
  const entry = validateEntry({ message: 'hi' });
  t.deepEqual(entry.original, { message: 'hi', level: 'info', source: 'unknown' });
  t.regex(entry.id, /^[0-9a-f-]{36}$/);
  t.is(entry.timestampMs, undefined);
  t.is(entry.originalJson, JSON.stringify(entry.original));
  t.not(validateEntry({ message: 'hi' }).id, entry.id);
});

test('normalises level spellings and keeps unknown fields in order after the known ones', (t) => {
  const entry = validateEntry({
    extra: { n: 1 },
    message: 'm',
    level: 'WARNING',
    source: 'app',
    id: 'req-1',
    z: [1],
  });
  t.deepEqual(Object.keys(entry.original), ['message', 'level', 'source', 'extra', 'z']);
  t.is(entry.original.level, 'warn');
  t.is(entry.id, 'req-1');
  t.false('id' in entry.original);
  t.is(validateEntry({ message: 'm', level: 'Error' }).original.level, 'error');
});

test('labels: strings kept, numbers and booleans become strings, an empty object is dropped', (t) => {
  const entry = validateEntry({ message: 'm', labels: { env: 'prod', status: 500, canary: false } });
  t.deepEqual(entry.original.labels, { env: 'prod', status: '500', canary: 'false' });
  t.false('labels' in validateEntry({ message: 'm', labels: {} }).original);
  const max = Object.fromEntries(Array.from({ length: LABELS_MAX }, (_, i) => [`k${i}`, 'v']));
  t.is(Object.keys(validateEntry({ message: 'm', labels: max }).original.labels ?? {}).length, LABELS_MAX);
});

test('timestamps: ISO with and without offset, date only, epoch ms and digit strings', (t) => {
  const ms = (value: unknown) => validateEntry({ message: 'm', timestamp: value }).timestampMs;
  t.is(ms('2024-05-01T12:00:00Z'), Date.UTC(2024, 4, 1, 12));
  t.is(ms('2024-05-01T12:00:00'), Date.UTC(2024, 4, 1, 12), 'no offset means UTC on every node');
  t.is(ms('2024-05-01T14:00:00+02:00'), Date.UTC(2024, 4, 1, 12));
  t.is(ms('2024-05-01T07:30:00-0430'), Date.UTC(2024, 4, 1, 12));
  t.is(ms('2024-05-01 12:00:00.123456Z'), Date.UTC(2024, 4, 1, 12, 0, 0, 123));
  t.is(ms('2024-05-01'), Date.UTC(2024, 4, 1));
  t.is(ms('2024-02-29'), Date.UTC(2024, 1, 29));
  t.is(ms(1714564800000), 1714564800000);
  t.is(ms(1714564800000.9), 1714564800000);
  t.is(ms('1714564800000'), 1714564800000);
  t.is(ms(new Date(1714564800000)), 1714564800000);
  t.is(ms(null), undefined);
});

test('null optional fields mean absent; undefined unknown fields are dropped', (t) => {
  const entry = validateEntry({
    message: 'm',
    level: null,
    source: null,
    labels: null,
    id: null,
    x: undefined,
  });
  t.deepEqual(entry.original, { message: 'm', level: 'info', source: 'unknown' });
});

test('bounds are inclusive: exactly the maximum is accepted', (t) => {
  t.notThrows(() => validateEntry({ message: 'x'.repeat(MESSAGE_BYTES_MAX) }));
  t.notThrows(() => validateEntry({ message: 'x', source: 's'.repeat(SOURCE_BYTES_MAX) }));
  t.notThrows(() => validateEntry({ message: 'x', id: 'a'.repeat(ID_BYTES_MAX) }));
  t.notThrows(() => validateEntry({ message: 'x', extra: nested(ORIGINAL_DATA_DEPTH_MAX) }));
});

test('batches: empty, too many, and the failing entry named by position', (t) => {
  refusal(t, () => validateEntries([]), 'EMPTY_BATCH');
  refusal(
    t,
    () => validateEntries(Array.from({ length: BATCH_ENTRIES_MAX + 1 }, () => ({ message: 'x' }))),
    'BATCH_TOO_LARGE',
  );
  const error = t.throws(() => validateEntries([{ message: 'ok' }, { message: 'x', level: 'loud' }]));
  t.true(isLogClusterError(error));
  if (isLogClusterError(error)) {
    t.is(error.details.entry, 1);
    t.is(error.details.field, 'level');
    t.regex(
      error.message,
      /^entry 1: level must be one of trace, debug, info, warn, error, fatal \(got "loud"\)$/,
    );
  }
  t.is(
    validateEntries(Array.from({ length: BATCH_ENTRIES_MAX }, () => ({ message: 'x' }))).length,
    BATCH_ENTRIES_MAX,
  );
});
