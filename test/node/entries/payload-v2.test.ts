import { createHash } from 'node:crypto';
import test from 'ava';
import { isLogClusterError } from '../../../lib/errors.js';
import { scanHeaderV2 } from '../../../lib/node/entries/header-scan.js';
import {
  decodeId,
  decodeIndexFields,
  decodeRecord,
  encodeEntry,
  PAYLOAD_VERSION,
} from '../../../lib/node/entries/payload.js';
import { validateEntry } from '../../../lib/node/entries/validate.js';

const nowMs = Date.UTC(2024, 4, 1, 12);

function headerOf(payload: Uint8Array): Record<string, unknown> {
  const bytes = Buffer.from(payload);
  return JSON.parse(bytes.toString('utf8', 0, bytes.indexOf(0x0a))) as Record<string, unknown>;
}

/** A payload in the version 1 format (what nodes wrote before version 2), built by hand. */
function v1Payload(original: Record<string, unknown>, id: string, ts: number, at: number): Buffer {
  const body = JSON.stringify(original);
  const sum = createHash('sha256').update(body).digest('hex');
  const header = JSON.stringify({ v: 1, id, ts, at, node: 'old', sum });
  return Buffer.from(`${header}\n${body}`, 'utf8');
}

test('version 2 headers carry level, source and labels; apply reads them from the header', (t) => {
  const entry = validateEntry({ message: 'm', level: 'ERROR', source: 'api', labels: { env: 'prod', n: 3 } });
  const payload = encodeEntry(entry, { nodeId: 'node1', nowMs });
  const header = headerOf(payload);
  t.is(PAYLOAD_VERSION, 2);
  t.like(header, { v: 2, level: 'error', source: 'api', labels: { env: 'prod', n: '3' }, node: 'node1' });
  t.deepEqual(decodeIndexFields(payload), {
    id: entry.id,
    timestampMs: nowMs,
    acceptedAtMs: nowMs,
    level: 'error',
    source: 'api',
    labels: { env: 'prod', n: '3' },
  });
  t.is(decodeId(payload), entry.id);
  t.is(decodeRecord(5, 2, payload).original_data.source, 'api');
  t.false('labels' in headerOf(encodeEntry(validateEntry({ message: 'm' }), { nodeId: 'n', nowMs })));
});

test('version 1 payloads already on disk still decode: index fields, id and verified record', (t) => {
  const original = { message: 'old', level: 'warn', source: 'legacy', labels: { a: 'b' } };
  const payload = v1Payload(original, 'id-1', 1_000, 2_000);
  t.deepEqual(decodeIndexFields(payload), {
    id: 'id-1',
    timestampMs: 1_000,
    acceptedAtMs: 2_000,
    level: 'warn',
    source: 'legacy',
    labels: { a: 'b' },
  });
  t.is(decodeId(payload), 'id-1');
  const record = decodeRecord(9, 1, payload);
  t.deepEqual(record.original_data, original);
  t.is(record.node_id, 'old');
  const bad = Buffer.from(payload);
  bad[bad.length - 3] ^= 0x01;
  const error = t.throws(() => decodeRecord(9, 1, bad));
  t.true(isLogClusterError(error) && error.code === 'STORAGE_CORRUPT');
});

test('unknown versions and headers without the indexed copy do not decode', (t) => {
  const payload = Buffer.from(encodeEntry(validateEntry({ message: 'm' }), { nodeId: 'n', nowMs }));
  const v3 = Buffer.from(payload.toString('utf8').replace('{"v":2', '{"v":3'));
  t.is(decodeId(v3), undefined);
  t.throws(() => decodeIndexFields(v3), { message: /version 1 or 2/ });
  const noSource = Buffer.from(payload.toString('utf8').replace('"source":"unknown",', ''));
  t.is(decodeId(noSource), undefined);
});

test('a header whose indexed copy disagrees with the checksummed body is STORAGE_CORRUPT', (t) => {
  const entry = validateEntry({ message: 'm', source: 'aaa', labels: { k: 'v' } });
  const text = Buffer.from(encodeEntry(entry, { nodeId: 'n', nowMs })).toString('utf8');
  const newline = text.indexOf('\n');
  const edits: Array<[string, string]> = [
    ['"source":"aaa"', '"source":"aab"'],
    ['"level":"info"', '"level":"warn"'],
    ['"labels":{"k":"v"}', '"labels":{"k":"w"}'],
    ['"labels":{"k":"v"}', '"labels":{"k":"v","x":"y"}'],
    [',"labels":{"k":"v"}', ''],
  ];
  for (const [from, to] of edits) {
    const bad = Buffer.from(text.slice(0, newline).replace(from, to) + text.slice(newline), 'utf8');
    const error = t.throws(() => decodeRecord(3, 1, bad), undefined, to);
    t.true(isLogClusterError(error) && error.code === 'STORAGE_CORRUPT', to);
    t.regex(error?.message ?? '', /disagrees/);
  }
});

test('the header scan equals JSON.parse of the header, escapes and unicode included', (t) => {
  const sources = [
    'api',
    'héllo wörld',
    '日本',
    'quo"te',
    'back\\slash',
    'tab\there',
    'emoji 😀',
    'a/b',
    'lone \ud800 surrogate',
    '\u007f\u2028',
  ];
  const labelSets = [undefined, { env: 'prod' }, { 'k.1': 'v"q', k2: 'ü', k3: '' }, { a: 'x\ny' }];
  const levels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
  let scanned = 0;
  let i = 0;
  for (const source of sources) {
    for (const labels of labelSets) {
      const level = levels[i++ % levels.length];
      const entry = validateEntry({ message: 'x', level, source, labels, id: `id-${i}`, timestamp: i });
      const payload = encodeEntry(entry, { nodeId: 'node-ä', nowMs: nowMs + i });
      const header = headerOf(payload);
      const expected = {
        id: header.id,
        timestampMs: header.ts,
        acceptedAtMs: header.at,
        level: header.level,
        source: header.source,
        labels: header.labels,
      };
      t.deepEqual(decodeIndexFields(payload), expected, source);
      const bytes = Buffer.from(payload);
      const fast = scanHeaderV2(bytes, bytes.indexOf(0x0a));
      if (fast !== undefined) {
        scanned++;
        t.deepEqual(fast, expected, source);
      }
      t.is(decodeRecord(i, 1, payload).original_data.source, source);
    }
  }
  t.is(scanned, 12, 'every header without an escape takes the fast path (6 sources x 2 label sets)');
});

test('the header scan refuses what is not the exact plain shape', (t) => {
  const good = '{"v":2,"id":"a","ts":1,"at":2,"level":"info","source":"s","node":"n","sum":"x"}';
  const scan = (text: string) => {
    const bytes = Buffer.from(`${text}\n{}`, 'utf8');
    return scanHeaderV2(bytes, bytes.indexOf(0x0a));
  };
  t.like(scan(good), { id: 'a', timestampMs: 1, acceptedAtMs: 2, level: 'info', source: 's' });
  for (const bad of [
    good.replace('"v":2', '"v":1'),
    good.replace('"ts":1', '"ts":-1'),
    good.replace('"ts":1', '"ts":1.5'),
    good.replace('"ts":1', '"ts":01'),
    good.replace('"ts":1', '"ts":1e3'),
    good.replace('"ts":1', '"ts":12345678901234567'),
    good.replace('"info"', '"INFO"'),
    good.replace('"info"', '"inf"'),
    good.replace('"source":"s"', '"source":"s\\u0041"'),
    good.replace(',"node"', ',"labels":{"__proto__":"x"},"node"'),
    good.replace(',"node"', ',"labels":{"a":"b",},"node"'),
    good.replace(',"node"', ',"labels":{"a":1},"node"'),
    good.replace(',"node"', ',"extra":1,"node"'),
    good.slice(0, 40),
  ]) {
    t.is(scan(bad), undefined, bad);
  }
});

test('repeated sources decode right when many share the scan cache slots', (t) => {
  const sources = Array.from({ length: 1_000 }, (_, i) => `svc-${String(i).padStart(4, '0')}`);
  sources.push('x'.repeat(100), 'é'.repeat(20));
  const payloads = sources.map((source) =>
    encodeEntry(validateEntry({ message: 'm', source }), { nodeId: 'n', nowMs }),
  );
  for (const round of [0, 1, 2]) {
    for (let i = 0; i < payloads.length; i++) {
      const at = (i * 7 + round * 13) % payloads.length;
      if (decodeIndexFields(payloads[at]).source !== sources[at]) t.fail(`round ${round}: ${sources[at]}`);
    }
  }
  t.pass();
});
