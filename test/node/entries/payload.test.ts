import { createHash } from 'node:crypto';
import test from 'ava';
import { isLogClusterError } from '../../../lib/errors.js';
import { decodeIndexFields, decodeRecord, encodeEntry } from '../../../lib/node/entries/payload.js';
import { filePathOf, parseEntryRef } from '../../../lib/node/entries/record.js';
import { validateEntry } from '../../../lib/node/entries/validate.js';

const nowMs = Date.UTC(2024, 4, 1, 12);

test('a payload decodes to the record API.md shows, with a client-verifiable checksum', (t) => {
  const entry = validateEntry({
    message: 'héllo',
    level: 'warning',
    labels: { env: 'prod' },
    id: 'req-1',
    extra: [1],
  });
  const payload = encodeEntry(entry, { nodeId: 'node2', nowMs });
  const record = decodeRecord(42, 3, payload);
  t.deepEqual(record, {
    file_path: 'log_00000000000000000042.json',
    id: 'req-1',
    index: 42,
    term: 3,
    timestamp: '2024-05-01T12:00:00.000Z',
    node_id: 'node2',
    original_data: {
      message: 'héllo',
      level: 'warn',
      source: 'unknown',
      labels: { env: 'prod' },
      extra: [1],
    },
    checksum: createHash('sha256').update(JSON.stringify(record.original_data)).digest('hex'),
  });
});

test("the client's timestamp wins over the leader's clock; the accept clock is kept apart", (t) => {
  const entry = validateEntry({ message: 'm', timestamp: '2020-01-01T00:00:00Z' });
  const payload = encodeEntry(entry, { nodeId: 'n', nowMs });
  t.is(decodeRecord(1, 1, payload).timestamp, '2020-01-01T00:00:00.000Z');
  const fields = decodeIndexFields(payload);
  t.is(fields.timestampMs, Date.UTC(2020, 0, 1));
  t.is(fields.acceptedAtMs, nowMs);
  t.is(fields.level, 'info');
  t.is(fields.source, 'unknown');
});

test('any flipped body or header byte is STORAGE_CORRUPT, never data', (t) => {
  const payload = encodeEntry(validateEntry({ message: 'important' }), { nodeId: 'n', nowMs });
  for (const at of [payload.length - 3, 2, payload.indexOf(0x0a) + 5]) {
    const bad = Uint8Array.from(payload);
    bad[at] ^= 0x01;
    const error = t.throws(() => decodeRecord(7, 1, bad));
    t.true(isLogClusterError(error) && error.code === 'STORAGE_CORRUPT', `byte ${at}: ${error?.message}`);
  }
  const error = t.throws(() => decodeRecord(7, 1, new Uint8Array([1, 2, 3])));
  t.true(isLogClusterError(error) && error.code === 'STORAGE_CORRUPT');
});

test('file paths: 20 digits, and only file paths or ids are references', (t) => {
  t.is(filePathOf(1), 'log_00000000000000000001.json');
  t.deepEqual(parseEntryRef('log_00000000000000000042.json'), { kind: 'index', index: 42 });
  t.deepEqual(parseEntryRef('req-1'), { kind: 'id', id: 'req-1' });
  for (const bad of [
    '',
    '..',
    '../etc/passwd',
    '%2e%2e',
    'a/b',
    'a\\b',
    '/etc/passwd',
    'C:\\x',
    'a\u0000b',
    'a..b',
    'log_00000000000000000000.json',
    'log_99999999999999999999.json',
    'x'.repeat(129),
  ]) {
    const error = t.throws(() => parseEntryRef(bad), undefined, JSON.stringify(bad));
    t.true(isLogClusterError(error) && error.code === 'INVALID_PATH', JSON.stringify(bad));
  }
});
