import { createHash } from 'node:crypto';
import test from 'ava';
import { LogClusterError } from '../../lib/errors.js';
import { BATCH_ENTRIES_MAX, MESSAGE_BYTES_MAX } from '../../lib/node/entries/limits.js';
import { start } from './harness.js';
import { notLeader } from './memory-service.js';

const JSON_TYPE = { 'content-type': 'application/json' };

test('POST /write one entry, then GET /read by file_path and by id', async (t) => {
  const h = await start(t);
  const reply = await h.write({
    message: 'Test log entry 1',
    level: 'info',
    source: 'test_app',
    id: 'req-1',
  });
  t.is(reply.status, 200);
  t.deepEqual(reply.json, {
    success: true,
    file_path: 'log_00000000000000000001.json',
    id: 'req-1',
    index: 1,
    term: 1,
    leader_id: 'node1',
    replicas: 1,
    duplicate: false,
  });
  const read = await h.send('GET', '/read/log_00000000000000000001.json');
  t.is(read.status, 200);
  t.true(read.json.success);
  const data = read.json.data;
  t.like(data, {
    file_path: 'log_00000000000000000001.json',
    id: 'req-1',
    index: 1,
    term: 1,
    node_id: 'node1',
  });
  t.deepEqual(data.original_data, { message: 'Test log entry 1', level: 'info', source: 'test_app' });
  t.is(data.checksum, createHash('sha256').update(JSON.stringify(data.original_data)).digest('hex'));
  t.regex(data.timestamp, /^2024-05-01T12:00:00\.000Z$/);
  t.deepEqual((await h.send('GET', '/read/req-1')).json.data, data);
  t.is(h.service.calls.find((c) => c.method === 'read')?.consistency, 'linearizable');
});

test('batches: a JSON array and NDJSON (blank lines, CRLF, charset) answer results in order', async (t) => {
  const h = await start(t);
  const batch = await h.write([{ message: 'a' }, { message: 'b', level: 'error' }]);
  t.is(batch.status, 200);
  t.deepEqual(
    batch.json.results.map((r: { index: number }) => r.index),
    [1, 2],
  );
  const ndjson = await h.send('POST', '/write', {
    headers: { 'content-type': 'application/x-ndjson; charset=UTF-8' },
    body: '{"message":"c"}\r\n\n{"message":"d","source":"s"}\n',
  });
  t.is(ndjson.status, 200, ndjson.text);
  t.deepEqual(
    ndjson.json.results.map((r: { file_path: string }) => r.file_path),
    ['log_00000000000000000003.json', 'log_00000000000000000004.json'],
  );
  const charset = await h.send('POST', '/write', {
    headers: { 'content-type': 'application/json;charset="utf-8"' },
    body: '\ufeff{"message":"e"}',
  });
  t.is(charset.status, 200, charset.text);
  t.is(h.service.log.lastIndex, 5);
});

test('a write retried with the same id is stored once and answered duplicate: true', async (t) => {
  const h = await start(t);
  const first = await h.write({ message: 'pay', id: 'order-42' });
  const again = await h.write({ message: 'pay', id: 'order-42' });
  t.is(again.status, 200);
  t.like(again.json, {
    success: true,
    index: first.json.index,
    file_path: first.json.file_path,
    duplicate: true,
  });
  const page = await h.send('GET', '/logs?order=asc');
  t.is(page.json.entries.length, 1);
});

const badWrites: Array<[string, Record<string, string>, string | Buffer, number, string, string?]> = [
  ['invalid JSON', JSON_TYPE, '{"message": "x",', 400, 'INVALID_JSON'],
  ['empty body', JSON_TYPE, '', 400, 'INVALID_JSON'],
  ['text/plain', { 'content-type': 'text/plain' }, '{"message":"x"}', 415, 'UNSUPPORTED_MEDIA_TYPE'],
  [
    'form encoding',
    { 'content-type': 'application/x-www-form-urlencoded' },
    'message=x',
    415,
    'UNSUPPORTED_MEDIA_TYPE',
  ],
  ['no content type', {}, '{"message":"x"}', 415, 'UNSUPPORTED_MEDIA_TYPE'],
  [
    'latin1 charset',
    { 'content-type': 'application/json; charset=latin1' },
    '{"message":"x"}',
    415,
    'UNSUPPORTED_MEDIA_TYPE',
  ],
  ['missing message', JSON_TYPE, '{"level":"info"}', 400, 'INVALID_ENTRY', 'message'],
  ['empty message', JSON_TYPE, '{"message":""}', 400, 'INVALID_ENTRY', 'message'],
  ['unknown level', JSON_TYPE, '{"message":"x","level":"loud"}', 400, 'INVALID_ENTRY', 'level'],
  ['bad timestamp', JSON_TYPE, '{"message":"x","timestamp":"soon"}', 400, 'INVALID_ENTRY', 'timestamp'],
  ['bad labels', JSON_TYPE, '{"message":"x","labels":[1]}', 400, 'INVALID_ENTRY', 'labels'],
  ['a string body', JSON_TYPE, '"hello"', 400, 'INVALID_ENTRY', 'entry'],
  [
    'one bad entry in a batch',
    JSON_TYPE,
    '[{"message":"ok"},{"message":"x","level":"loud"}]',
    400,
    'INVALID_ENTRY',
    'level',
  ],
  ['empty batch', JSON_TYPE, '[]', 400, 'EMPTY_BATCH'],
  ['empty NDJSON', { 'content-type': 'application/x-ndjson' }, '\n\n', 400, 'EMPTY_BATCH'],
  [
    'bad NDJSON line',
    { 'content-type': 'application/x-ndjson' },
    '{"message":"a"}\n{oops\n',
    400,
    'INVALID_JSON',
  ],
  [
    'oversize batch',
    JSON_TYPE,
    JSON.stringify(Array.from({ length: BATCH_ENTRIES_MAX + 1 }, () => ({ message: 'x' }))),
    413,
    'BATCH_TOO_LARGE',
  ],
  [
    'oversize NDJSON batch',
    { 'content-type': 'application/x-ndjson' },
    '{"message":"x"}\n'.repeat(BATCH_ENTRIES_MAX + 1),
    413,
    'BATCH_TOO_LARGE',
  ],
  [
    'oversize message',
    JSON_TYPE,
    JSON.stringify({ message: 'x'.repeat(MESSAGE_BYTES_MAX + 1) }),
    413,
    'ENTRY_TOO_LARGE',
    'message',
  ],
];

for (const [name, headers, body, status, code, field] of badWrites) {
  test(`POST /write refuses ${name}: ${status} ${code}, nothing stored`, async (t) => {
    const h = await start(t);
    const reply = await h.send('POST', '/write', { headers, body });
    t.is(reply.status, status, reply.text);
    t.is(reply.json.success, false);
    t.is(reply.json.code, code);
    t.is(typeof reply.json.error, 'string');
    if (field !== undefined) t.is(reply.json.field, field);
    t.is(h.service.log.lastIndex, 0, 'nothing stored');
    t.is(h.service.calls.length, 0, 'the service was not called');
  });
}

test('POST /write names the failing line of NDJSON and the failing entry of a batch', async (t) => {
  const h = await start(t);
  const ndjson = await h.send('POST', '/write', {
    headers: { 'content-type': 'application/x-ndjson' },
    body: '{"message":"a"}\n\n{oops\n',
  });
  t.is(ndjson.json.line, 3);
  const batch = await h.write([{ message: 'ok' }, { message: 'x', level: 'loud' }]);
  t.is(batch.json.entry, 1);
  t.regex(batch.json.error, /^entry 1: level must be one of/);
});

test('a body over the bound is refused with 413 before it is all read, and the connection closes', async (t) => {
  const h = await start(t, { bodyBytesMax: 1024 });
  const declared = await h
    .send('POST', '/write', {
      headers: { ...JSON_TYPE, 'content-length': '5000000' },
    })
    .catch((error: Error) => error);
  // With a declared length over the bound, the reply comes before any body byte is sent.
  t.false(declared instanceof Error, String(declared));
  if (!(declared instanceof Error)) {
    t.is(declared.status, 413);
    t.is(declared.json.code, 'BODY_TOO_LARGE');
    t.is(declared.headers.connection, 'close');
  }
  const chunked = await h.send('POST', '/write', {
    headers: { ...JSON_TYPE, 'transfer-encoding': 'chunked' },
    body: JSON.stringify({ message: 'x'.repeat(5000) }),
  });
  t.is(chunked.status, 413);
  t.is(chunked.json.code, 'BODY_TOO_LARGE');
  const sized = await h.send('POST', '/write', {
    headers: JSON_TYPE,
    body: JSON.stringify({ message: 'y'.repeat(5000) }),
  });
  t.is(sized.status, 413);
  t.is(h.service.log.lastIndex, 0);
  const fine = await h.write({ message: 'small' });
  t.is(fine.status, 200, 'the server still serves');
});

const traversals = [
  '/read/../../etc/passwd',
  '/read/..',
  '/read/.',
  '/read/..%2f..%2fetc%2fpasswd',
  '/read/%2e%2e/%2e%2e/etc/passwd',
  '/read/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '/read/%252e%252e%252fetc%252fpasswd',
  '/read/..\\..\\windows\\win.ini',
  '/read//etc/passwd',
  '/read/%2Fetc%2Fpasswd',
  '/read/C:%5Cwindows%5Cwin.ini',
  '/read/log_00000000000000000001.json%00.txt',
  '/read/log_00000000000000000001.json/../../../etc/passwd',
  '/read/....//....//etc/passwd',
  '/read/~root',
  '/read/.env',
  'http://127.0.0.1/read/../../etc/passwd',
];

for (const path of traversals) {
  test(`GET ${path} is refused without reaching storage`, async (t) => {
    const h = await start(t);
    await h.write({ message: 'secret-free entry' });
    const reply = await h.send('GET', path);
    t.true([400, 404].includes(reply.status), `${reply.status} ${reply.text}`);
    t.true(['INVALID_PATH', 'NOT_FOUND', 'ROUTE_NOT_FOUND'].includes(reply.json?.code), reply.text);
    t.false(reply.text.includes('root:'), 'no file content');
    t.deepEqual(
      h.service.calls.filter((c) => c.method === 'read'),
      [],
      'the service was never asked',
    );
  });
}

test('GET /read of unknown entries: 404 NOT_FOUND; consistency passes through or is refused', async (t) => {
  const h = await start(t);
  await h.write({ message: 'x' });
  for (const path of ['/read/log_00000000000000000009.json', '/read/no-such-id']) {
    const reply = await h.send('GET', path);
    t.is(reply.status, 404);
    t.deepEqual(reply.json, { success: false, error: 'File not found', code: 'NOT_FOUND' });
  }
  await h.send('GET', '/read/log_00000000000000000001.json?consistency=local');
  t.is(h.service.calls.at(-1)?.consistency, 'local');
  const bad = await h.send('GET', '/read/log_00000000000000000001.json?consistency=strong');
  t.is(bad.status, 400);
  t.like(bad.json, { code: 'INVALID_QUERY', field: 'consistency' });
  const unknown = await h.send('GET', '/read/log_00000000000000000001.json?x=1');
  t.like(unknown.json, { code: 'INVALID_QUERY', field: 'x' });
});

test('GET /logs passes every filter to the service and returns a page with next_after', async (t) => {
  const h = await start(t);
  const base = Date.UTC(2024, 4, 1, 11);
  await h.write(
    Array.from({ length: 6 }, (_, i) => ({
      message: `m${i}${i === 4 ? ' needle' : ''}`,
      level: i % 2 === 0 ? 'error' : 'info',
      source: i < 3 ? 'api' : 'db',
      labels: { env: i % 3 === 0 ? 'prod' : 'dev' },
      timestamp: base + i * 60_000,
    })),
  );
  const all = await h.send('GET', '/logs?order=asc&limit=4');
  t.is(all.status, 200);
  t.deepEqual(
    all.json.entries.map((e: { index: number }) => e.index),
    [1, 2, 3, 4],
  );
  t.is(all.json.next_after, 4);
  t.true(all.json.success);
  const rest = await h.send('GET', '/logs?order=asc&limit=4&after=4');
  t.deepEqual(
    rest.json.entries.map((e: { index: number }) => e.index),
    [5, 6],
  );
  t.is(rest.json.next_after, null);
  const newest = await h.send('GET', '/logs?limit=1');
  t.is(newest.json.entries[0].index, 6, 'default order is newest first');
  const cases: Array<[string, number[]]> = [
    ['level=error', [5, 3, 1]],
    ['level=error,info', [6, 5, 4, 3, 2, 1]],
    ['level=WARNING&level=error', [5, 3, 1]],
    ['min_level=warn', [5, 3, 1]],
    ['source=db', [6, 5, 4]],
    ['label.env=prod', [4, 1]],
    ['contains=needle', [5]],
    ['since=2024-05-01T11:03:00Z', [6, 5, 4]],
    ['until=1714561380000', [3, 2, 1]],
    ['since=58m', [6, 5, 4, 3]],
    ['level=error&source=api&label.env=dev&order=asc', [3]],
  ];
  for (const [query, expected] of cases) {
    const reply = await h.send('GET', `/logs?${query}`);
    t.is(reply.status, 200, `${query}: ${reply.text}`);
    t.deepEqual(
      reply.json.entries.map((e: { index: number }) => e.index),
      expected,
      query,
    );
  }
  await h.send('GET', '/logs?consistency=leader');
  t.is(h.service.calls.at(-1)?.consistency, 'leader');
});

const badQueries: Array<[string, string]> = [
  ['limit=0', 'limit'],
  ['limit=1001', 'limit'],
  ['limit=ten', 'limit'],
  ['order=up', 'order'],
  ['level=loud', 'level'],
  ['min_level=x', 'min_level'],
  ['since=yesterday', 'since'],
  ['until=2024-13-01', 'until'],
  ['after=-1', 'after'],
  ['after=1.5', 'after'],
  ['levle=error', 'levle'],
  ['label.=x', 'label.'],
  ['label.a%20b=x', 'label.a b'],
  ['consistency=strong', 'consistency'],
  ['source=a&source=b', 'source'],
  ['source=', 'source'],
  ['contains=', 'contains'],
];

for (const [query, field] of badQueries) {
  test(`GET /logs?${query} is 400 INVALID_QUERY naming ${field}`, async (t) => {
    const h = await start(t);
    const reply = await h.send('GET', `/logs?${query}`);
    t.is(reply.status, 400, reply.text);
    t.like(reply.json, { success: false, code: 'INVALID_QUERY', field });
    t.true(reply.json.error.includes(field), reply.json.error);
    t.deepEqual(h.service.calls, []);
  });
}

test('unknown routes are 404 ROUTE_NOT_FOUND, wrong methods 405 with Allow', async (t) => {
  const h = await start(t);
  for (const path of ['/', '/nope', '/logs/', '/read', '/read/', '/health/x', '/WRITE']) {
    const reply = await h.send('GET', path);
    t.is(reply.status, 404, path);
    t.is(reply.json.code, 'ROUTE_NOT_FOUND', path);
  }
  for (const [method, path, allow] of [
    ['GET', '/write', 'POST, OPTIONS'],
    ['POST', '/logs', 'GET, OPTIONS'],
    ['DELETE', '/read/log_00000000000000000001.json', 'GET, OPTIONS'],
    ['PUT', '/health', 'GET, OPTIONS'],
  ]) {
    const reply = await h.send(method, path, {
      headers: JSON_TYPE,
      body: method === 'GET' ? undefined : '{}',
    });
    t.is(reply.status, 405, `${method} ${path}`);
    t.is(reply.json.code, 'METHOD_NOT_ALLOWED');
    t.is(reply.headers.allow, allow);
  }
  t.is(h.service.log.lastIndex, 0);
});

test('CORS on every response, and preflights answered with the allowed headers', async (t) => {
  const h = await start(t);
  for (const [method, path] of [
    ['GET', '/health'],
    ['GET', '/nope'],
    ['POST', '/logs'],
    ['GET', '/logs?limit=0'],
    ['GET', '/read/..'],
  ]) {
    const reply = await h.send(method, path);
    t.is(reply.headers['access-control-allow-origin'], '*', `${method} ${path}`);
  }
  const preflight = await h.send('OPTIONS', '/write', {
    headers: {
      origin: 'null',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type, authorization',
      'access-control-request-private-network': 'true',
    },
  });
  t.is(preflight.status, 204);
  t.is(preflight.headers['access-control-allow-origin'], '*');
  t.regex(preflight.headers['access-control-allow-methods'] ?? '', /POST/);
  for (const header of ['Authorization', 'Content-Type', 'Last-Event-ID']) {
    t.true((preflight.headers['access-control-allow-headers'] ?? '').includes(header), header);
  }
  t.is(preflight.headers['access-control-allow-private-network'], 'true');
  t.is((await h.send('OPTIONS', '/read/log_00000000000000000001.json')).status, 204);
  t.is((await h.send('OPTIONS', '*')).status, 204);
  t.is((await h.send('OPTIONS', '/nope')).status, 404);
});

test('GET /health, /stats, /cluster, /metrics, /dashboard', async (t) => {
  const h = await start(t);
  await h.write({ message: 'x' });
  const health = await h.send('GET', '/health');
  t.is(health.status, 200);
  t.like(health.json, {
    success: true,
    status: 'healthy',
    node_id: 'node1',
    role: 'leader',
    applied_index: 1,
  });
  t.is((await h.send('GET', '/health?_=1714564800000')).status, 200, 'watching routes ignore parameters');
  h.service.health_ = { status: 'degraded', reason: 'a follower lags' };
  t.is((await h.send('GET', '/health')).status, 200);
  h.service.health_ = { status: 'unhealthy', reason: 'no leader for 2 s', code: 'NO_LEADER' };
  const down = await h.send('GET', '/health');
  t.is(down.status, 503);
  t.like(down.json, {
    success: false,
    status: 'unhealthy',
    code: 'NO_LEADER',
    error: 'no leader for 2 s',
    node_id: 'node1',
  });
  const stats = await h.send('GET', '/stats');
  t.like(stats.json, { success: true, node_id: 'node1', stats: { writes: 1 } });
  const cluster = await h.send('GET', '/cluster');
  t.like(cluster.json, { success: true, leader_id: 'node1', term: 1 });
  const metrics = await h.send('GET', '/metrics');
  t.is(metrics.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
  for (const line of metrics.text.trimEnd().split('\n')) {
    t.regex(
      line,
      /^(# (HELP|TYPE) [a-z_]+ .+|[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? \d+(\.\d+)?)$/,
      line,
    );
  }
  t.regex(metrics.text, /logcluster_writes_total 1\n/);
  t.regex(metrics.text, /logcluster_http_requests_total\{route="\/write",status="200"\} 1\n/);
  const dashboard = await h.send('GET', '/dashboard');
  t.is(dashboard.status, 200);
  t.regex(dashboard.headers['content-type'] ?? '', /^text\/html/);
});

test('service errors keep their status and hints; anything else is a 500 that leaks nothing', async (t) => {
  const h = await start(t);
  h.service.failNext = notLeader();
  const redirect = await h.write({ message: 'x' });
  t.is(redirect.status, 503);
  t.deepEqual(redirect.json, {
    success: false,
    error: 'node2 is a follower',
    code: 'NOT_LEADER',
    leader_id: 'node1',
    leader_url: 'http://127.0.0.1:5001',
  });
  h.service.failNext = new LogClusterError('OVERLOADED', 'inbox full', { retry_after_ms: 1500 });
  const busy = await h.send('GET', '/logs');
  t.is(busy.status, 429);
  t.is(busy.headers['retry-after'], '2');
  h.service.failNext = new Error('ENOENT: /var/secret/path');
  const broken = await h.send('GET', '/read/log_00000000000000000001.json');
  t.is(broken.status, 500);
  t.deepEqual(broken.json, { success: false, error: 'Internal error', code: 'INTERNAL' });
  t.is(h.internalErrors.length, 1);
});

test('a bearer token guards everything but /health and preflights', async (t) => {
  const h = await start(t, { token: 's3cret' });
  t.is((await h.send('GET', '/health')).status, 200);
  t.is((await h.send('OPTIONS', '/write')).status, 204);
  for (const headers of <Array<Record<string, string>>>[
    {},
    { authorization: 'Bearer wrong' },
    { authorization: 's3cret' },
    { authorization: 'Basic s3cret' },
  ]) {
    const reply = await h.send('GET', '/logs', { headers });
    t.is(reply.status, 401, JSON.stringify(headers));
    t.is(reply.json.code, 'UNAUTHORIZED');
  }
  const write = await h.send('POST', '/write', { headers: JSON_TYPE, body: '{"message":"x"}' });
  t.is(write.status, 401);
  t.is(h.service.log.lastIndex, 0);
  t.is((await h.send('GET', '/logs', { headers: { authorization: 'Bearer s3cret' } })).status, 200);
  t.is((await h.send('GET', '/logs?access_token=s3cret')).status, 401, 'query tokens only on /logs/stream');
});

test('oversized headers get 431 HEADERS_TOO_LARGE in the JSON shape', async (t) => {
  const h = await start(t);
  const reply = await h.send('GET', '/health', { headers: { 'x-big': 'x'.repeat(20_000) } });
  t.is(reply.status, 431);
  t.is(reply.json.code, 'HEADERS_TOO_LARGE');
  t.is(reply.headers['access-control-allow-origin'], '*');
});
