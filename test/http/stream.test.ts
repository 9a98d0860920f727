import test from 'ava';
import { LogClusterError } from '../../lib/errors.js';
import { validateEntries } from '../../lib/node/entries/validate.js';
import { start } from './harness.js';
import { openStream } from './sse-client.js';

const ids = (stream: { events: Array<{ id?: string }> }) => stream.events.map((e) => Number(e.id));

test('resumes after Last-Event-ID, then follows live entries; each event carries its index', async (t) => {
  const h = await start(t);
  await h.write([1, 2, 3, 4, 5].map((i) => ({ message: `m${i}` })));
  const stream = await openStream(h.port, '/logs/stream', { 'last-event-id': '2' });
  t.is(stream.status, 200);
  t.regex(stream.headers['content-type'] ?? '', /^text\/event-stream/);
  t.is(stream.headers['access-control-allow-origin'], '*');
  await stream.waitFor((s) => s.events.length >= 3);
  t.deepEqual(ids(stream), [3, 4, 5]);
  const record = JSON.parse(stream.events[0].data);
  t.like(record, { index: 3, file_path: 'log_00000000000000000003.json', original_data: { message: 'm3' } });
  await h.write({ message: 'live' });
  await stream.waitFor((s) => s.events.length >= 4);
  t.deepEqual(ids(stream), [3, 4, 5, 6]);
  stream.close();
});

test('the cursor also comes from ?last_event_id or ?after; filters apply to replay and live', async (t) => {
  const h = await start(t);
  await h.write([{ message: 'a', level: 'error' }, { message: 'b' }, { message: 'c', level: 'error' }]);
  const byParam = await openStream(h.port, '/logs/stream?last_event_id=1&level=error');
  const byAfter = await openStream(h.port, '/logs/stream?after=0&level=error');
  await byParam.waitFor((s) => s.events.length >= 1);
  await byAfter.waitFor((s) => s.events.length >= 2);
  await h.write([{ message: 'd' }, { message: 'e', level: 'error' }]);
  await byParam.waitFor((s) => s.events.length >= 2);
  await byAfter.waitFor((s) => s.events.length >= 3);
  t.deepEqual(ids(byParam), [3, 5]);
  t.deepEqual(ids(byAfter), [1, 3, 5]);
  byParam.close();
  byAfter.close();
});

test('without a cursor only new entries are sent; with since the replay starts there', async (t) => {
  const h = await start(t);
  await h.write({ message: 'old', timestamp: '2024-05-01T10:00:00Z' });
  await h.write({ message: 'recent', timestamp: '2024-05-01T11:50:00Z' });
  const live = await openStream(h.port, '/logs/stream');
  const since = await openStream(h.port, '/logs/stream?since=30m');
  await since.waitFor((s) => s.events.length >= 1);
  await h.write({ message: 'new' });
  await live.waitFor((s) => s.events.length >= 1);
  await since.waitFor((s) => s.events.length >= 2);
  t.deepEqual(ids(live), [3]);
  t.deepEqual(ids(since), [2, 3]);
  live.close();
  since.close();
});

test('a long replay is paged: every entry once, in order, first page with the asked consistency', async (t) => {
  const h = await start(t);
  for (let i = 0; i < 3; i++) {
    await h.service.write(
      validateEntries(Array.from({ length: 500 }, (_, j) => ({ message: `m${i}-${j}` }))),
    );
  }
  const stream = await openStream(h.port, '/logs/stream?after=0&consistency=leader');
  await stream.waitFor((s) => s.events.length >= 1500);
  t.deepEqual(
    ids(stream),
    Array.from({ length: 1500 }, (_, i) => i + 1),
  );
  const queries = h.service.calls.filter((c) => c.method === 'query');
  t.true(queries.length >= 3);
  t.is(queries[0].consistency, 'leader');
  t.true(queries.slice(1).every((c) => c.consistency === 'local'));
  stream.close();
});

test('heartbeat comments keep an idle stream alive', async (t) => {
  const h = await start(t, { sseHeartbeatMs: 20 });
  const stream = await openStream(h.port, '/logs/stream');
  await stream.waitFor((s) => s.comments.filter((c) => c === 'heartbeat').length >= 2);
  t.pass();
  stream.close();
});

test('streams are bounded: past STREAMS_MAX the node answers 429 OVERLOADED', async (t) => {
  const h = await start(t, { streamsMax: 2 });
  const a = await openStream(h.port, '/logs/stream');
  const b = await openStream(h.port, '/logs/stream');
  const c = await openStream(h.port, '/logs/stream');
  await c.ended;
  t.is(c.status, 429);
  t.like(JSON.parse(c.text()), { success: false, code: 'OVERLOADED' });
  t.is(c.headers['retry-after'], '1');
  a.close();
  await poll(() => countOpen(h) === 1);
  const d = await openStream(h.port, '/logs/stream');
  t.is(d.status, 200, 'a slot frees when a stream closes');
  b.close();
  d.close();
});

test('a consumer that stops reading is cut off once its buffer bound is passed', async (t) => {
  const h = await start(t, { sseBufferBytesMax: 64 * 1024 });
  const stream = await openStream(h.port, '/logs/stream');
  stream.pause();
  const big = 'x'.repeat(60_000);
  for (let i = 0; i < 200 && countOpen(h) === 1; i++) {
    await h.service.write(validateEntries(Array.from({ length: 5 }, () => ({ message: big }))));
  }
  t.is(countOpen(h), 0, 'the stream was cut');
  const metrics = await h.send('GET', '/metrics');
  t.regex(metrics.text, /logcluster_http_streams_cut_total 1\n/);
  stream.close();
});

test('bad stream parameters are refused before the stream opens', async (t) => {
  const h = await start(t);
  for (const [path, headers, field] of [
    ['/logs/stream?limit=5', {}, 'limit'],
    ['/logs/stream?order=asc', {}, 'order'],
    ['/logs/stream?level=loud', {}, 'level'],
    ['/logs/stream', { 'last-event-id': 'abc' }, 'Last-Event-ID'],
  ] as const) {
    const stream = await openStream(h.port, path, headers);
    await stream.ended;
    t.is(stream.status, 400, path);
    t.like(JSON.parse(stream.text()), { code: 'INVALID_QUERY', field });
  }
});

test('an unavailable node answers the first page with a plain error; later failures end with an error event', async (t) => {
  const h = await start(t);
  h.service.failNext = new LogClusterError('NO_QUORUM', 'no quorum');
  const refused = await openStream(h.port, '/logs/stream?after=0');
  await refused.ended;
  t.is(refused.status, 503);
  t.is(JSON.parse(refused.text()).code, 'NO_QUORUM');
  const stream = await openStream(h.port, '/logs/stream');
  await poll(() => countOpen(h) === 1);
  h.service.feed.closeAll(new LogClusterError('SHUTTING_DOWN', 'bye'));
  await stream.ended;
  t.deepEqual(
    stream.events.map((e) => [e.event, JSON.parse(e.data).code]),
    [['error', 'SHUTTING_DOWN']],
  );
});

test('close() ends open streams and resolves', async (t) => {
  const h = await start(t);
  const stream = await openStream(h.port, '/logs/stream');
  await poll(() => countOpen(h) === 1);
  await h.api.close();
  await stream.ended;
  t.is(countOpen(h), 0);
});

test('with a token, EventSource clients may pass it as access_token', async (t) => {
  const h = await start(t, { token: 'tok' });
  const denied = await openStream(h.port, '/logs/stream');
  await denied.ended;
  t.is(denied.status, 401);
  const allowed = await openStream(h.port, '/logs/stream?access_token=tok');
  t.is(allowed.status, 200);
  allowed.close();
});

/** Open subscriptions on the node: one per open stream that got past its replay. */
function countOpen(h: { service: { feed: { size: number } } }): number {
  return h.service.feed.size;
}

async function poll(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
