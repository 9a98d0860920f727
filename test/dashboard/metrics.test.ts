/**
 * GET /metrics after a short workload on a real 3-node cluster: valid Prometheus text (strict
 * parser), every family the docs promise, and sane values (counts > 0, histogram buckets
 * cumulative, lag per peer on the leader, one process section).
 */
import test from 'ava';
import { getJson, postJson, startCluster, type TestCluster } from '../helpers/node-cluster.js';
import { parsePrometheus, type Sample } from '../helpers/prometheus.js';

/** Write batches of the workload; each is one consensus round, so one commit latency sample. */
const BATCHES = 20;
const BATCH_ENTRIES = 10;

let cluster: TestCluster;
let leader: string;

test.before(async () => {
  cluster = await startCluster(3);
  leader = await cluster.leader();
  const follower = cluster.ids.find((id) => id !== leader)!;
  for (let i = 0; i < BATCHES; i++) {
    const batch = Array.from({ length: BATCH_ENTRIES }, (_, j) => ({
      message: `m${i}.${j}`,
      level: j % 2 ? 'warn' : 'info',
      source: 'metrics-test',
    }));
    // Half the batches through a follower: it forwards, the leader still times the commit.
    const via = i % 2 ? cluster.urls[follower] : cluster.urls[leader];
    const reply = await postJson(`${via}/write`, batch);
    if (reply.status !== 200) throw new Error(`write failed: ${JSON.stringify(reply.body)}`);
  }
  await getJson(`${cluster.urls[leader]}/logs?limit=5`);
  await getJson(`${cluster.urls[follower]}/read/log_00000000000000000002.json`);
});

test.after.always(async () => {
  await cluster?.close();
});

async function scrape(id: string) {
  const res = await fetch(`${cluster.urls[id]}/metrics`);
  return { status: res.status, type: res.headers.get('content-type'), ...parsePrometheus(await res.text()) };
}

function pick(samples: Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
}

function one(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = pick(samples, name, labels);
  if (found.length !== 1) throw new Error(`${name} ${JSON.stringify(labels)}: ${found.length} samples`);
  return found[0].value;
}

/** Buckets of one histogram series are cumulative, end at +Inf, and +Inf equals _count. */
function checkHistogram(t: any, samples: Sample[], name: string, labels: Record<string, string> = {}) {
  const buckets = pick(samples, `${name}_bucket`, labels);
  t.true(buckets.length > 2, `${name} has buckets`);
  const bounds = buckets.map((b) => Number(b.labels.le === '+Inf' ? Infinity : b.labels.le));
  t.deepEqual(
    bounds,
    [...bounds].sort((a, b) => a - b),
    `${name} buckets in order`,
  );
  t.is(bounds.at(-1), Infinity);
  for (let i = 1; i < buckets.length; i++) {
    t.true(buckets[i].value >= buckets[i - 1].value, `${name} buckets are cumulative`);
  }
  const count = one(samples, `${name}_count`, labels);
  t.is(buckets.at(-1)!.value, count, `${name} +Inf bucket is the count`);
  t.true(one(samples, `${name}_sum`, labels) >= 0);
  return count;
}

test('the leader exposes every promised family with sane values', async (t) => {
  const { status, type, samples, types } = await scrape(leader);
  t.is(status, 200);
  t.is(type, 'text/plain; version=0.0.4; charset=utf-8');
  const expected: Record<string, string> = {
    logcluster_writes_total: 'counter',
    logcluster_reads_total: 'counter',
    logcluster_commit_latency_seconds: 'histogram',
    logcluster_fsync_duration_seconds: 'histogram',
    logcluster_persisted_entries_total: 'counter',
    logcluster_raft_elections_total: 'counter',
    logcluster_raft_leader_changes_total: 'counter',
    logcluster_raft_peer_lag_entries: 'gauge',
    logcluster_raft_peer_last_contact_seconds: 'gauge',
    logcluster_raft_term: 'gauge',
    logcluster_raft_is_leader: 'gauge',
    logcluster_raft_commit_index: 'gauge',
    logcluster_storage_bytes: 'gauge',
    logcluster_storage_segments: 'gauge',
    logcluster_transport_sent_total: 'counter',
    logcluster_http_requests_total: 'counter',
    logcluster_http_request_duration_seconds: 'histogram',
    logcluster_http_streams_open: 'gauge',
    process_cpu_seconds_total: 'counter',
    process_resident_memory_bytes: 'gauge',
  };
  for (const [name, kind] of Object.entries(expected)) t.is(types.get(name), kind, name);

  const node = { node: leader };
  t.is(one(samples, 'logcluster_writes_total', node), BATCHES * BATCH_ENTRIES);
  t.is(one(samples, 'logcluster_raft_is_leader', node), 1);
  t.true(one(samples, 'logcluster_raft_term', node) >= 1);
  t.true(one(samples, 'logcluster_raft_commit_index', node) >= BATCHES * BATCH_ENTRIES);
  t.true(one(samples, 'logcluster_raft_leader_changes_total', node) >= 1);
  t.true(one(samples, 'logcluster_storage_bytes', node) > 0);
  t.true(one(samples, 'logcluster_storage_segments', node) >= 1);
  t.true(one(samples, 'logcluster_persisted_entries_total', node) >= BATCHES * BATCH_ENTRIES);

  const commits = checkHistogram(t, samples, 'logcluster_commit_latency_seconds', node);
  t.true(commits >= BATCHES, `one commit sample per batch (got ${commits})`);
  const fsyncs = checkHistogram(t, samples, 'logcluster_fsync_duration_seconds', node);
  t.true(fsyncs >= 1 && fsyncs <= one(samples, 'logcluster_persisted_entries_total', node) + 10);
  const commitMean = one(samples, 'logcluster_commit_latency_seconds_sum', node) / commits;
  t.true(commitMean > 0 && commitMean < 5, `mean commit latency ${commitMean}s`);

  const lags = pick(samples, 'logcluster_raft_peer_lag_entries', node);
  t.deepEqual(lags.map((s) => s.labels.peer).sort(), cluster.ids.filter((id) => id !== leader).sort());
  for (const lag of lags) t.true(lag.value >= 0 && lag.value <= BATCHES * BATCH_ENTRIES);

  t.true(one(samples, 'logcluster_http_requests_total', { route: '/write', status: '200' }) >= BATCHES / 2);
  const writeLatency = checkHistogram(t, samples, 'logcluster_http_request_duration_seconds', {
    route: '/write',
    method: 'POST',
  });
  t.true(writeLatency >= BATCHES / 2);
  t.true(one(samples, 'process_resident_memory_bytes') > 0);
  t.is(pick(samples, 'process_cpu_seconds_total').length, 1, 'process series once, without a node label');
});

test('a follower reports no lag (only a leader knows it), its own fsyncs and the elections', async (t) => {
  const follower = cluster.ids.find((id) => id !== leader)!;
  const { samples } = await scrape(follower);
  const node = { node: follower };
  t.is(one(samples, 'logcluster_raft_is_leader', node), 0);
  t.is(pick(samples, 'logcluster_raft_peer_lag_entries').length, 0);
  t.is(one(samples, 'logcluster_writes_total', node), BATCHES * BATCH_ENTRIES);
  t.true(checkHistogram(t, samples, 'logcluster_fsync_duration_seconds', node) >= 1);
  t.is(
    one(samples, 'logcluster_commit_latency_seconds_count', node),
    0,
    'followers commit nothing themselves',
  );
  t.true(one(samples, 'logcluster_replications_received_total', node) >= 1);
  // Someone ran the election that made the leader; every node saw a leader appear.
  let elections = 0;
  for (const id of cluster.ids) {
    const scraped = await scrape(id);
    elections += one(scraped.samples, 'logcluster_raft_elections_total', { node: id });
    t.true(one(scraped.samples, 'logcluster_raft_leader_changes_total', { node: id }) >= 1);
  }
  t.true(elections >= 1);
});
