import test from 'ava';
import { LogClusterClient } from '../../lib/client/client.js';
import type { LogClusterClientOptions } from '../../lib/client/options.js';
import { isLogClusterError, type LogClusterError } from '../../lib/errors.js';
import { deadUrl, fakeNode, writeReply } from './fake-node.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const fast = { retryBaseMs: 1, timeoutMs: 2000 };

function client(t: { teardown(fn: () => void): void }, options: LogClusterClientOptions): LogClusterClient {
  const c = new LogClusterClient(options);
  t.teardown(() => c.close());
  return c;
}

async function rejection(promise: Promise<unknown>): Promise<LogClusterError> {
  try {
    await promise;
  } catch (error) {
    if (isLogClusterError(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

test('options are validated, naming the option and the value', (t) => {
  const cases: [unknown, RegExp][] = [
    [{ nodes: [] }, /option nodes .*\[\]/],
    [{ nodes: 'ftp://x' }, /option nodes .*ftp:\/\/x/],
    [{ nodes: ['http://a:1', 42] }, /option nodes .*42/],
    [{ nodes: 'http://a:1', timeoutMs: -5 }, /option timeoutMs .*-5/],
    [{ nodes: 'http://a:1', retries: 100 }, /option retries .*100/],
    [{ nodes: 'http://a:1', retryBaseMs: 1.5 }, /option retryBaseMs .*1.5/],
    [{ nodes: 'http://a:1', nodez: 'x' }, /option nodez is not an option/],
    [{ nodes: 'http://a:1', token: 'sekrit\nvalue' }, /option token .*a string of 12 characters/],
  ];
  for (const [options, pattern] of cases) {
    const error = t.throws(() => new LogClusterClient(options as LogClusterClientOptions));
    t.is((error as LogClusterError).code, 'INVALID_OPTION');
    t.regex(error.message, pattern);
    t.false(error.message.includes('sekrit'));
  }
  const c = new LogClusterClient({
    nodes: ' http://127.0.0.1:5001/ ,http://127.0.0.1:5002,http://127.0.0.1:5001',
  });
  t.deepEqual(c.nodes, ['http://127.0.0.1:5001', 'http://127.0.0.1:5002']);
});

test('write generates an idempotency id before the first attempt and keeps it across retries', async (t) => {
  const node = await fakeNode(t);
  node.answer((req, n) =>
    n === 1
      ? { status: 503, body: { success: false, error: 'outcome unknown', code: 'OUTCOME_UNKNOWN' } }
      : { status: 200, body: writeReply(JSON.parse(req.body).id, 7) },
  );
  const entry = { message: 'hello', level: 'info' as const };
  const result = await client(t, { nodes: [node.url], ...fast }).write(entry);
  t.is(node.seen.length, 2);
  const [first, second] = node.seen.map((s) => JSON.parse(s.body));
  t.regex(first.id, UUID);
  t.is(second.id, first.id);
  t.like(result, { success: true, id: first.id, index: 7, duplicate: false });
  t.false('id' in entry, 'the caller object is not mutated');
  t.is(node.seen[0].headers['content-type'], 'application/json');
});

test('a batch is one request; every entry without an id gets its own, given ids are kept', async (t) => {
  const node = await fakeNode(t);
  node.answer((req) => ({
    status: 200,
    body: {
      success: true,
      results: (JSON.parse(req.body) as { id: string }[]).map((e, i) => writeReply(e.id, i + 1)),
    },
  }));
  const c = client(t, { nodes: node.url, ...fast });
  const results = await c.write([{ message: 'a' }, { message: 'b', id: 'mine' }, { message: 'c' }]);
  const sent = JSON.parse(node.seen[0].body) as { id: string }[];
  t.is(node.seen.length, 1);
  t.is(sent[1].id, 'mine');
  t.regex(sent[0].id, UUID);
  t.not(sent[0].id, sent[2].id);
  t.deepEqual(
    results.map((r) => r.index),
    [1, 2, 3],
  );
  t.is((await rejection(c.write([]))).code, 'EMPTY_BATCH');
  t.is(node.seen.length, 1);
});

test('a leader hint moves the cache: the retry and later writes go to the leader', async (t) => {
  const follower = await fakeNode(t);
  const leader = await fakeNode(t);
  follower.answer(() => ({
    status: 503,
    body: {
      success: false,
      error: 'node2 is a follower',
      code: 'NOT_LEADER',
      leader_id: 'node1',
      leader_url: leader.url,
    },
  }));
  leader.answer((req) => ({ status: 200, body: writeReply(JSON.parse(req.body).id, 1) }));
  const c = client(t, { nodes: [follower.url, leader.url], retryBaseMs: 5000 });
  const started = Date.now();
  await c.write({ message: 'x' });
  t.true(Date.now() - started < 2000, 'a hint is followed at once, without backoff');
  t.is(c.leaderUrl, leader.url);
  await c.write({ message: 'y' });
  t.is(follower.seen.length, 1);
  t.is(leader.seen.length, 2);
});

test('connection errors fail over to the next node', async (t) => {
  const node = await fakeNode(t);
  node.answer((req) => ({ status: 200, body: writeReply(JSON.parse(req.body).id, 1) }));
  const c = client(t, { nodes: [await deadUrl(), node.url], ...fast });
  const result = await c.write({ message: 'x' });
  t.is(result.index, 1);
  t.is(node.seen.length, 1);
});

test('429 is retried with backoff (honouring Retry-After within the cap); other 4xx never', async (t) => {
  const node = await fakeNode(t);
  node.answer((req, n) => {
    if (n === 1) {
      return {
        status: 429,
        body: { success: false, error: 'busy', code: 'OVERLOADED' },
        headers: { 'retry-after': '1' },
      };
    }
    if (req.url === '/write') return { status: 200, body: writeReply('x', 1) };
    return {
      status: 400,
      body: { success: false, error: 'message is required', code: 'INVALID_ENTRY', field: 'message' },
    };
  });
  const c = client(t, { nodes: node.url, ...fast });
  const started = Date.now();
  t.is((await c.write({ message: 'x' })).index, 1);
  t.true(Date.now() - started >= 950, 'waited for Retry-After: 1');
  t.is(node.seen.length, 2);
  const error = await rejection(c.read('log_1.json'));
  t.is(error.code, 'INVALID_ENTRY');
  t.is(error.status, 400);
  t.is(error.message, 'message is required');
  t.like(error.details, { field: 'message', status: 400 });
  t.is(node.seen.length, 3, '400 is not retried');
});

test('retries are bounded and the last error is thrown with its code', async (t) => {
  const a = await fakeNode(t);
  const b = await fakeNode(t);
  for (const node of [a, b]) {
    node.answer(() => ({ status: 503, body: { success: false, error: 'no leader', code: 'NO_LEADER' } }));
  }
  const error = await rejection(
    client(t, { nodes: [a.url, b.url], retries: 3, retryBaseMs: 1 }).write({ message: 'x' }),
  );
  t.is(error.code, 'NO_LEADER');
  t.is(a.seen.length + b.seen.length, 4);
  t.is(a.seen.length, 2, 'attempts alternate across nodes');
});

test('unknown codes become INTERNAL with the original code; non-JSON 503 is UNAVAILABLE', async (t) => {
  const node = await fakeNode(t);
  node.answer((_req, n) =>
    n === 1
      ? { status: 418, body: { success: false, error: 'teapot', code: 'TEAPOT' } }
      : { status: 503, body: '<html>bad gateway</html>' },
  );
  const c = client(t, { nodes: node.url, retries: 0 });
  const unknown = await rejection(c.stats());
  t.is(unknown.code, 'INTERNAL');
  t.is(unknown.details.original_code, 'TEAPOT');
  t.is(unknown.message, 'teapot');
  const html = await rejection(c.stats());
  t.is(html.code, 'UNAVAILABLE');
  t.regex(String(html.details.body), /bad gateway/);
});

test('a node that never answers times out with TIMEOUT', async (t) => {
  const node = await fakeNode(t);
  node.answer(() => 'hang');
  const error = await rejection(client(t, { nodes: node.url, retries: 0, timeoutMs: 100 }).health());
  t.is(error.code, 'TIMEOUT');
  t.regex(error.message, /within 100 ms/);
});

test('read and query build the API paths and parameters', async (t) => {
  const node = await fakeNode(t);
  node.answer((req) =>
    req.url.startsWith('/read/')
      ? { status: 200, body: { success: true, data: { file_path: 'log_1.json', index: 1 } } }
      : { status: 200, body: { success: true, entries: [], next_after: null } },
  );
  const c = client(t, { nodes: node.url, ...fast });
  const record = await c.read('a b/../c', { consistency: 'local' });
  t.is(record.index, 1);
  t.is(node.seen[0].url, '/read/a%20b%2F..%2Fc?consistency=local');
  await c.query({
    level: ['warn', 'error'],
    source: 'shop',
    since: new Date('2024-01-02T03:04:05Z'),
    labels: { run: 'r 1' },
    after: 10,
    limit: 5,
    order: 'desc',
  });
  const params = new URL(node.seen[1].url, 'http://x').searchParams;
  t.is(new URL(node.seen[1].url, 'http://x').pathname, '/logs');
  t.is(params.get('level'), 'warn,error');
  t.is(params.get('since'), '2024-01-02T03:04:05.000Z');
  t.is(params.get('label.run'), 'r 1');
  t.is(params.get('after'), '10');
  t.is(params.get('order'), 'desc');
  const bad = await rejection(c.query({ colour: 'red' } as never));
  t.is(bad.code, 'INVALID_QUERY');
});

test('404 NOT_FOUND is thrown at once, typed', async (t) => {
  const node = await fakeNode(t);
  node.answer(() => ({ status: 404, body: { success: false, error: 'File not found', code: 'NOT_FOUND' } }));
  const error = await rejection(client(t, { nodes: node.url, ...fast }).read('log_9.json'));
  t.is(error.code, 'NOT_FOUND');
  t.is(node.seen.length, 1);
});

test('health returns a 503 report; without a url it fails over; token goes as Bearer', async (t) => {
  const node = await fakeNode(t);
  const report = {
    success: false,
    status: 'unhealthy',
    node_id: 'node2',
    role: 'follower',
    term: 3,
    leader_id: null,
  };
  node.answer(() => ({ status: 503, body: report }));
  const c = client(t, { nodes: [await deadUrl(), node.url], token: 'tok-12345678', ...fast });
  t.like(await c.health(), { status: 'unhealthy', node_id: 'node2' });
  t.like(await c.health(node.url), { status: 'unhealthy' });
  t.is(node.seen[0].headers.authorization, 'Bearer tok-12345678');
  const dead = await rejection(c.health(await deadUrl()));
  t.is(dead.code, 'UNAVAILABLE');
  t.false(dead.message.includes('tok-12345678'));
});

test('cluster() teaches the client the leader', async (t) => {
  const a = await fakeNode(t);
  const b = await fakeNode(t);
  a.answer(() => ({
    status: 200,
    body: {
      success: true,
      leader_id: 'node2',
      term: 4,
      members: [
        { id: 'node1', url: a.url, role: 'follower' },
        { id: 'node2', url: b.url, role: 'leader' },
      ],
    },
  }));
  const c = client(t, { nodes: [a.url, b.url], ...fast });
  await c.cluster();
  t.is(c.leaderUrl, b.url);
});
