import test from 'ava';
import { getJson, postJson, startCluster, type TestCluster } from '../helpers/node-cluster.js';
import { parsePrometheus } from '../helpers/prometheus.js';
import { waitFor } from '../helpers/wait.js';

// Three real StorageNodes in this process: real files with fsync, real sockets, real Raft.
let cluster: TestCluster;
test.before(async () => {
  cluster = await startCluster(3);
});
test.after.always(async () => {
  await cluster?.close();
});

const seedEntry = (n: number) => ({ message: `Test log entry ${n}`, level: 'info', source: 'test_app' });

test.serial(
  'the seed flow: health everywhere, writes readable on every node at once, stats count',
  async (t) => {
    for (const url of Object.values(cluster.urls)) {
      const health = await getJson(`${url}/health`);
      t.is(health.status, 200);
      t.is(health.body.status, 'healthy');
    }
    const paths: string[] = [];
    for (let n = 1; n <= 5; n++) {
      const target = cluster.urls[cluster.ids[n % 3]]; // leader and followers alike
      const { status, body } = await postJson(`${target}/write`, seedEntry(n));
      t.is(status, 200, JSON.stringify(body));
      t.true(body.success);
      t.regex(body.file_path, /^log_\d{20}\.json$/);
      t.true(body.replicas >= 2);
      paths.push(body.file_path);
      for (const url of Object.values(cluster.urls)) {
        // Default consistency (linearizable): visible on every node immediately after the ack.
        const read = await getJson(`${url}/read/${body.file_path}`);
        t.is(read.status, 200, `${url} ${JSON.stringify(read.body)}`);
        t.is(read.body.data.original_data.message, `Test log entry ${n}`);
        t.is(read.body.data.file_path, body.file_path);
        t.regex(read.body.data.checksum, /^[0-9a-f]{64}$/);
      }
    }
    t.is(new Set(paths).size, 5);
    for (const url of Object.values(cluster.urls)) {
      const stats = await getJson(`${url}/stats`);
      t.is(stats.status, 200);
      t.true(stats.body.stats.writes >= 5, `${url} writes ${stats.body.stats.writes}`);
      t.true(stats.body.stats.reads >= 5);
      t.true(stats.body.raft.commit_index >= 6);
      t.true(stats.body.storage.segments >= 1);
      t.true(stats.body.disk_usage.total > 0);
    }
  },
);

test.serial('a write retried with the same id is stored once and answered duplicate', async (t) => {
  const entry = { message: 'only once', source: 'retry', id: 'retry-key-1' };
  const first = await postJson(`${cluster.urls.node1}/write`, entry);
  const second = await postJson(`${cluster.urls.node2}/write`, entry);
  t.is(first.status, 200);
  t.is(second.status, 200);
  t.false(first.body.duplicate);
  t.true(second.body.duplicate);
  t.is(second.body.index, first.body.index);
  t.is(second.body.file_path, first.body.file_path);
  const page = await getJson(`${cluster.urls.node3}/logs?source=retry`);
  t.is(page.body.entries.length, 1);
  const byId = await getJson(`${cluster.urls.node3}/read/retry-key-1`);
  t.is(byId.body.data.index, first.body.index);
});

test.serial('bad input gets the right status and code, and nothing is stored', async (t) => {
  const url = cluster.urls.node2;
  const before = (await getJson(`${url}/stats`)).body.raft.commit_index;
  const post = (body: string, type = 'application/json') =>
    fetch(`${url}/write`, { method: 'POST', headers: { 'content-type': type }, body }).then(async (r) => ({
      status: r.status,
      body: (await r.json()) as Record<string, any>,
    }));
  const cases: [string, Promise<{ status: number; body: Record<string, any> }>, number, string][] = [
    ['invalid JSON', post('{"message": '), 400, 'INVALID_JSON'],
    [
      'wrong content type',
      post('message=hi', 'application/x-www-form-urlencoded'),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    ['missing message', post('{"level":"info"}'), 400, 'INVALID_ENTRY'],
    ['empty message', post('{"message":""}'), 400, 'INVALID_ENTRY'],
    ['unknown level', post('{"message":"x","level":"loud"}'), 400, 'INVALID_ENTRY'],
    ['oversize body', post(JSON.stringify({ message: 'x'.repeat(5 * 1024 * 1024) })), 413, 'BODY_TOO_LARGE'],
    [
      'oversize batch',
      post(JSON.stringify(Array.from({ length: 1001 }, () => ({ message: 'x' })))),
      413,
      'BATCH_TOO_LARGE',
    ],
  ];
  for (const [what, reply, status, code] of cases) {
    const { status: got, body } = await reply;
    t.is(got, status, what);
    t.is(body.code, code, what);
    t.false(body.success, what);
  }
  t.is((await postJson(`${url}/write`, { level: 'warn' })).body.field, 'message');
  for (const path of [
    '/read/..%2f..%2fetc%2fpasswd',
    '/read/%2e%2e%2fsecret',
    '/read/%2Fetc%2Fpasswd',
    '/read/..',
  ]) {
    const r = await fetch(url + path);
    t.true([400, 404].includes(r.status), `${path} -> ${r.status}`);
    const body = (await r.json()) as Record<string, any>;
    t.true(['INVALID_PATH', 'NOT_FOUND', 'ROUTE_NOT_FOUND'].includes(body.code), `${path} -> ${body.code}`);
  }
  t.is((await fetch(`${url}/nope`)).status, 404);
  t.is((await fetch(`${url}/write`)).status, 405);
  t.is((await fetch(`${url}/health`, { method: 'DELETE' })).status, 405);
  const after = (await getJson(`${url}/stats`)).body.raft.commit_index;
  t.is(after, before, 'nothing was proposed');
});

test.serial('/logs filters by level, source, label and pages with after', async (t) => {
  const leader = await cluster.leader();
  const batch = [
    { message: 'disk almost full', level: 'warn', source: 'filter-api', labels: { region: 'eu' } },
    { message: 'request failed', level: 'error', source: 'filter-api', labels: { region: 'us' } },
    { message: 'hello', level: 'info', source: 'filter-worker', labels: { region: 'eu' } },
    { message: 'crash', level: 'fatal', source: 'filter-worker' },
  ];
  const written = await postJson(`${cluster.urls[leader]}/write`, batch);
  t.is(written.status, 200);
  t.is(written.body.results.length, 4);
  const q = async (query: string) => (await getJson(`${cluster.urls.node3}/logs?${query}`)).body;
  t.deepEqual(
    (await q('source=filter-api&order=asc')).entries.map((e: any) => e.original_data.message),
    ['disk almost full', 'request failed'],
  );
  t.is((await q('level=error,fatal')).entries.length, 2);
  t.is((await q('min_level=error&source=filter-worker')).entries.length, 1);
  t.is((await q('label.region=eu')).entries.length, 2);
  t.is((await q('contains=almost')).entries.length, 1);
  const first = await q('source=filter-worker&limit=1&order=asc');
  t.deepEqual(
    first.entries.map((e: any) => e.original_data.message),
    ['hello'],
  );
  const second = await q(`source=filter-worker&limit=1&order=asc&after=${first.next_after}`);
  t.deepEqual(
    second.entries.map((e: any) => e.original_data.message),
    ['crash'],
  );
  const newest = await q('source=filter-worker&limit=1');
  t.deepEqual(
    newest.entries.map((e: any) => e.original_data.message),
    ['crash'],
  );
  const bad = await getJson(`${cluster.urls.node1}/logs?level=loud`);
  t.is(bad.status, 400);
  t.is(bad.body.code, 'INVALID_QUERY');
});

test.serial(
  '/logs/stream delivers committed entries as Server-Sent Events and resumes after Last-Event-ID',
  async (t) => {
    const url = cluster.urls.node2;
    const controller = new AbortController();
    const res = await fetch(`${url}/logs/stream?source=sse-test`, { signal: controller.signal });
    t.is(res.status, 200);
    t.regex(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const leader = await cluster.leader();
    await postJson(`${cluster.urls[leader]}/write`, [
      { message: 'sse one', source: 'sse-test' },
      { message: 'sse two', source: 'sse-test' },
    ]);
    await waitFor('two events', async () => {
      const { value } = await reader.read();
      text += decoder.decode(value);
      return (text.match(/^data: /gm) ?? []).length >= 2;
    });
    controller.abort();
    const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    t.is(ids.length, 2);
    t.true(ids[1] > ids[0]);
    // Resume on another node from the first id: only the second entry comes again.
    const resumed = new AbortController();
    const res2 = await fetch(`${cluster.urls.node3}/logs/stream?source=sse-test`, {
      headers: { 'last-event-id': String(ids[0]) },
      signal: resumed.signal,
    });
    const reader2 = res2.body!.getReader();
    let text2 = '';
    await waitFor('the resumed event', async () => {
      const { value } = await reader2.read();
      text2 += decoder.decode(value);
      return text2.includes('sse two');
    });
    resumed.abort();
    t.false(text2.includes('sse one'));
  },
);

test.serial('/metrics is valid Prometheus text with sane values', async (t) => {
  const res = await fetch(`${cluster.urls.node1}/metrics`);
  t.is(res.status, 200);
  t.regex(res.headers.get('content-type') ?? '', /text\/plain/);
  const { samples, types } = parsePrometheus(await res.text());
  const value = (name: string) => samples.find((s) => s.name === name)?.value;
  t.is(types.get('logcluster_writes_total'), 'counter');
  t.true((value('logcluster_writes_total') ?? 0) >= 5);
  t.true((value('logcluster_raft_term') ?? 0) >= 1);
  t.true((value('logcluster_raft_commit_index') ?? 0) >= (value('logcluster_raft_applied_index') ?? 0) - 0);
  t.true((value('logcluster_storage_bytes') ?? 0) > 0);
});

test.serial('CORS headers let a page from another origin call any node', async (t) => {
  const pre = await fetch(`${cluster.urls.node1}/write`, {
    method: 'OPTIONS',
    headers: { origin: 'null', 'access-control-request-method': 'POST' },
  });
  t.true(pre.status === 204 || pre.status === 200);
  t.is(pre.headers.get('access-control-allow-origin'), '*');
  const health = await fetch(`${cluster.urls.node2}/health`, { headers: { origin: 'http://example.test' } });
  t.is(health.headers.get('access-control-allow-origin'), '*');
});
