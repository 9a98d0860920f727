/**
 * Retention on real nodes (real files, fsync, sockets) with tiny segments: size and age bounds,
 * COMPACTED reads, duplicates detected across compaction and restarts, and a follower that
 * catches up through the leader's snapshot after the others compacted past its log.
 */
import test from 'ava';
import type { StorageNode } from '../../lib/index.js';
import type { CompactionEvent } from '../../lib/node/retention.js';
import { getJson, postJson, startCluster, type TestCluster } from '../helpers/node-cluster.js';
import { waitFor } from '../helpers/wait.js';

const SEGMENT_BYTES = 4096;
const PAD = 'x'.repeat(200);
/** One batch (~2 KB) every 600 ms: under a segment per retention interval. */
const WRITE_PACE_MS = 600;

interface Acked {
  readonly id: string;
  readonly index: number;
}

/** Writes `batches` batches of `size` entries through `url`; returns what was acknowledged. */
async function writeBatches(url: string, tag: string, batches: number, size = 8): Promise<Acked[]> {
  const acked: Acked[] = [];
  for (let b = 0; b < batches; b++) {
    const body = Array.from({ length: size }, (_, i) => ({
      id: `${tag}-${b}-${i}`,
      message: `${tag} ${b} ${i} ${PAD}`,
      source: 'retention-test',
    }));
    const reply = await postJson(`${url}/write`, body);
    if (reply.status !== 200) throw new Error(`write failed: ${JSON.stringify(reply.body)}`);
    for (const r of reply.body.results) acked.push({ id: r.id, index: r.index });
  }
  return acked;
}

async function stats(url: string) {
  return (await getJson(`${url}/stats`)).body;
}

/** Waits until every running node applied what the leader committed. */
async function converged(cluster: TestCluster, leader: string): Promise<void> {
  const commit = cluster.nodes.get(leader)?.status().commitIndex ?? 0;
  await waitFor('every node applied the commit', () =>
    [...cluster.nodes.values()].every((n) => n.status().appliedIndex >= commit),
  );
}

/** Every acked entry is readable where retention kept it and COMPACTED where it dropped it. */
async function checkReads(t: any, url: string, acked: readonly Acked[]): Promise<number> {
  const first: number = (await stats(url)).retention?.compacted_before ?? 1;
  let kept = 0;
  for (const entry of acked) {
    const res = await getJson(
      `${url}/read/log_${String(entry.index).padStart(20, '0')}.json?consistency=local`,
    );
    if (entry.index >= first) {
      kept++;
      t.is(res.status, 200, `entry ${entry.index} inside retention is readable on ${url}`);
      t.is(res.body.data?.id, entry.id);
    } else {
      t.is(res.status, 410, `entry ${entry.index} below ${first} answers COMPACTED on ${url}`);
      t.is(res.body.code, 'COMPACTED');
    }
  }
  return kept;
}

function watch(nodes: Iterable<StorageNode>): Array<CompactionEvent & { node: string }> {
  const events: Array<CompactionEvent & { node: string }> = [];
  for (const node of nodes)
    node.on('retention', (e: CompactionEvent) => events.push({ ...e, node: node.id }));
  return events;
}

test.serial(
  'size retention keeps each log within the bound; duplicates survive compaction and a full restart',
  async (t) => {
    const retentionBytes = 3 * SEGMENT_BYTES;
    const cluster = await startCluster(3, { segmentBytesMax: SEGMENT_BYTES, retentionBytes });
    t.teardown(() => cluster.close());
    const events = watch(cluster.nodes.values());
    let leader = await cluster.leader();
    // Continuous writes at a steady rate below one segment per RETENTION_INTERVAL_MS (the bound
    // documented in docs/retention.md), until every node compacted at least twice.
    const acked: Acked[] = [];
    const ids = cluster.ids;
    const deadline = Date.now() + 20_000;
    let maxBytes = 0;
    while (ids.some((id) => events.filter((e) => e.node === id).length < 2) && Date.now() < deadline) {
      const started = Date.now();
      acked.push(...(await writeBatches(cluster.urls[leader], `size${acked.length}`, 1, 4)));
      for (const id of ids) maxBytes = Math.max(maxBytes, (await stats(cluster.urls[id])).storage.bytes);
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, WRITE_PACE_MS - (Date.now() - started))),
      );
    }
    t.true(events.length >= 6, `retention compacted while the writes went on (${events.length})`);
    t.true(maxBytes <= retentionBytes + SEGMENT_BYTES, `no log held more than the bound (${maxBytes})`);
    for (const e of events) {
      t.true(
        e.bytesAfter <= retentionBytes + SEGMENT_BYTES,
        `log ${e.bytesAfter} bytes right after a compaction`,
      );
    }
    await converged(cluster, leader);
    for (const id of cluster.ids) {
      const url = cluster.urls[id];
      await waitFor(`${id} within retentionBytes + one segment`, async () => {
        const s = await stats(url);
        return s.storage.bytes <= retentionBytes + SEGMENT_BYTES && s.retention.compactions > 0;
      });
      const s = await stats(url);
      t.true(s.storage.first_index > 1, `${id} dropped its oldest segments`);
      t.is(s.retention.max_bytes, retentionBytes);
      t.true(s.retention.segments_dropped > 0 && s.retention.bytes_dropped > 0);
      t.true((await checkReads(t, url, acked)) > 0);
      const page = await getJson(`${url}/logs?order=asc&after=0&consistency=local`);
      t.is(page.status, 410, '/logs from a cursor below the retention point answers COMPACTED');
      const metrics = await (await fetch(`${url}/metrics`)).text();
      t.regex(metrics, /^logcluster_retention_compactions_total\{node="[^"]+"\} [1-9]\d*$/m);
    }
    // The first write is compacted everywhere, but its id is still in the dedup window.
    const retry = await postJson(`${cluster.urls[leader]}/write`, {
      id: acked[0].id,
      message: 'retry after compaction',
    });
    t.is(retry.status, 200);
    t.true(retry.body.duplicate, 'a retry of a compacted entry is still a duplicate');
    t.is(retry.body.index, acked[0].index);
    // Restart every node from its compacted state: the window comes back from the snapshot.
    for (const id of cluster.ids) await cluster.stopNode(id);
    for (const id of cluster.ids) await cluster.startNode(id);
    leader = await cluster.leader();
    const again = await postJson(`${cluster.urls[leader]}/write`, {
      id: acked[1].id,
      message: 'retry after restart',
    });
    t.true(again.body.duplicate, 'duplicates are detected after a restart from the compacted state');
    t.is(again.body.index, acked[1].index);
    const last = acked[acked.length - 1];
    const read = await getJson(`${cluster.urls[leader]}/read/${last.id}`);
    t.is(read.status, 200, 'the newest entry survived the restart');
  },
);

test.serial('age retention drops sealed segments whose newest entry is older than retentionMs', async (t) => {
  const retentionMs = 1_500;
  const cluster = await startCluster(3, { segmentBytesMax: SEGMENT_BYTES, retentionMs });
  t.teardown(() => cluster.close());
  const leader = await cluster.leader();
  const startMs = Date.now(); // every old entry was accepted after this
  const old = await writeBatches(cluster.urls[leader], 'old', 12);
  const url = cluster.urls[leader];
  const s = await waitFor('the old segments dropped by age', async () => {
    const body = await stats(url);
    return body.retention.compactions > 0 ? body : null;
  });
  t.true(Date.now() - startMs > retentionMs, 'nothing was dropped before it was old');
  t.true(s.retention.last_compaction.byAge > 0);
  t.true(s.storage.first_index > old[0].index);
  // New writes are young: they stay, and so does the newest old entry (in the active segment).
  const young = await writeBatches(url, 'young', 2);
  await converged(cluster, leader);
  for (const entry of young) {
    t.is((await getJson(`${url}/read/${entry.id}`)).status, 200);
  }
  const oldest = await getJson(`${url}/read/log_${String(old[0].index).padStart(20, '0')}.json`);
  t.is(oldest.status, 410);
});

test.serial(
  'a follower stopped while the others compact past its log catches up through the snapshot',
  async (t) => {
    const retentionBytes = 3 * SEGMENT_BYTES;
    const cluster = await startCluster(3, { segmentBytesMax: SEGMENT_BYTES, retentionBytes });
    t.teardown(() => cluster.close());
    const leader = await cluster.leader();
    const url = cluster.urls[leader];
    const before = await writeBatches(url, 'before', 4);
    await converged(cluster, leader);
    const follower = cluster.ids.find((id) => id !== leader) as string;
    const lastBefore = cluster.nodes.get(follower)?.status().lastIndex ?? 0;
    await cluster.stopNode(follower);
    const during = await writeBatches(url, 'during', 40);
    await waitFor('the live nodes compacted past the stopped follower', async () => {
      const bodies = await Promise.all(
        cluster.ids.filter((id) => id !== follower).map((id) => stats(cluster.urls[id])),
      );
      return bodies.every((b) => b.storage.first_index > lastBefore + 1);
    });
    await cluster.startNode(follower);
    await converged(cluster, leader);
    const followerUrl = cluster.urls[follower];
    const f = await stats(followerUrl);
    t.true(f.storage.snapshot_index > lastBefore, 'the follower installed a snapshot past its old log');
    t.true(f.storage.first_index > lastBefore + 1);
    // Same duplicate decisions: retries of a compacted id and of a kept id, with marker messages
    // that would show up in /logs on any node that stored them as new entries.
    const keptId = during[during.length - 2].id;
    const retries = [
      { id: before[0].id, message: 'marker-dup compacted' },
      { id: keptId, message: 'marker-dup kept' },
      { id: 'fresh-after-catch-up', message: 'marker-new fresh' },
    ];
    const reply = await postJson(`${url}/write`, retries);
    t.deepEqual(
      reply.body.results.map((r: { duplicate: boolean }) => r.duplicate),
      [true, true, false],
    );
    await converged(cluster, leader);
    for (const id of cluster.ids) {
      const nodeUrl = cluster.urls[id];
      const dups = await getJson(`${nodeUrl}/logs?contains=marker-dup&consistency=local`);
      t.deepEqual(dups.body.entries, [], `${id} stored no retry as a new entry`);
      const fresh = await getJson(`${nodeUrl}/logs?contains=marker-new&consistency=local`);
      t.is(fresh.body.entries.length, 1, `${id} stored the fresh entry`);
      const gone = await getJson(`${nodeUrl}/read/${before[0].id}?consistency=local`);
      t.is(gone.status, 410, `${id} knows the compacted id from its window`);
      const kept = await getJson(`${nodeUrl}/read/${keptId}?consistency=local`);
      t.is(kept.status, 200);
    }
  },
);
