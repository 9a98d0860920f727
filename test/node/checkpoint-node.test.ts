import { cp, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { StorageNode } from '../../lib/index.js';
import { CHECKPOINT_FILE_NAME } from '../../lib/node/checkpointer.js';
import { freePortRange } from '../helpers/free-port.js';
import { getJson, postJson } from '../helpers/node-cluster.js';
import { waitFor } from '../helpers/wait.js';

const QUERIES = [
  'limit=1000&order=asc',
  'level=error,fatal&limit=1000&order=desc',
  'source=src-2&limit=1000',
  'label.region=eu&limit=1000&order=asc',
  'label.region=us&label.tier=t1&level=info&limit=1000',
  'contains=seven&limit=1000',
];

interface Started {
  node: StorageNode;
  url: string;
  restored: { applied: number; refusal: string | undefined };
}

async function startNode(dataDir: string, port: number): Promise<Started> {
  const node = new StorageNode({
    id: 'node1',
    port,
    dataDir,
    peers: {},
    tickIntervalMs: 25,
    electionTimeoutMs: 250,
  });
  let restored = { applied: -1, refusal: 'no event' as string | undefined };
  node.on('checkpoint-restored', (event) => {
    restored = event;
  });
  await node.start();
  await waitFor('a leader', () => node.status().role === 'leader', 10_000);
  return { node, url: `http://127.0.0.1:${port}`, restored };
}

/** Writes `count` entries in batches: levels, sources, labels, client ids and retried ids. */
async function writeEntries(url: string, from: number, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let at = from; at < from + count; at += 100) {
    const batch = [];
    for (let i = at; i < Math.min(at + 100, from + count); i++) {
      const id = i % 11 === 5 && i > 20 ? `id-${i - 20}` : `id-${i}`;
      ids.push(id);
      batch.push({
        id,
        message: `entry ${i}${i % 7 === 0 ? ' seven' : ''}`,
        level: ['debug', 'info', 'warn', 'error', 'fatal'][i % 5],
        source: `src-${i % 4}`,
        labels: { region: i % 3 === 0 ? 'eu' : 'us', tier: `t${i % 2}` },
      });
    }
    const reply = await postJson(`${url}/write`, batch);
    if (reply.status !== 200) throw new Error(`write failed: ${JSON.stringify(reply.body)}`);
  }
  return ids;
}

/** What a client sees: every query's entries and next_after, and every id's read. */
async function answers(url: string, ids: readonly string[]) {
  const queries = [];
  for (const q of QUERIES) queries.push((await getJson(`${url}/logs?${q}`)).body);
  const reads = [];
  for (const id of new Set(ids)) reads.push((await getJson(`${url}/read/${id}`)).body);
  return { queries, reads };
}

const cleanups: Array<() => Promise<unknown>> = [];
test.after.always(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

test.serial(
  'a reopened node restores its checkpoint and answers exactly as before; a crash image replays the tail',
  async (t) => {
    const root = await mkdtemp(join(tmpdir(), 'lc-checkpoint-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    const base = await freePortRange(3);
    const ports = [base, base + 1, base + 2];
    const dir = join(root, 'node1');
    let live = await startNode(dir, ports[0]);
    cleanups.push(() => live.node.stop());
    t.deepEqual(live.restored, { applied: 0, refusal: live.restored.refusal }, 'no checkpoint at first');
    const ids = await writeEntries(live.url, 0, 600);
    const before = await answers(live.url, ids);
    t.true(before.queries.every((body) => body.entries.length > 0));
    const applied = live.node.status().appliedIndex;
    await live.node.stop();

    // Graceful stop: the checkpoint is at the last applied index, nothing is replayed.
    live = await startNode(dir, ports[0]);
    t.is(live.restored.applied, applied);
    t.deepEqual(await answers(live.url, ids), before);

    // A crash image (files as a SIGKILL leaves them: no checkpoint at stop) replays after the old one.
    const more = ids.concat(await writeEntries(live.url, 600, 300));
    const crashDir = join(root, 'crashed');
    await cp(dir, crashDir, { recursive: true });
    const expected = await answers(live.url, more);
    const crashed = await startNode(crashDir, ports[1]);
    cleanups.push(() => crashed.node.stop());
    t.is(crashed.restored.applied, applied, 'the older checkpoint');
    const last = live.node.status().appliedIndex;
    await waitFor('the tail replayed', () => crashed.node.status().appliedIndex >= last, 10_000);
    t.deepEqual(await answers(crashed.url, more), expected);
    await crashed.node.stop();

    // A damaged checkpoint is ignored: the whole log is replayed, with the same answers.
    const file = join(crashDir, CHECKPOINT_FILE_NAME);
    const handle = await open(file, 'r+');
    const { size } = await handle.stat();
    await handle.write(Buffer.from([0xff, 0x00, 0xff]), 0, 3, Math.floor(size / 2));
    await handle.close();
    const replayed = await startNode(crashDir, ports[2]);
    cleanups.push(() => replayed.node.stop());
    t.is(replayed.restored.applied, 0);
    t.regex(replayed.restored.refusal ?? '', /checksum/);
    await waitFor('the log replayed', () => replayed.node.status().appliedIndex >= last, 10_000);
    t.deepEqual(await answers(replayed.url, more), expected);
  },
);
