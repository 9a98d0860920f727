import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { ClusterManager } from '../../lib/cluster/cluster-manager.js';
import { readCheckpoint } from '../../lib/node/checkpoint-file.js';
import { CHECKPOINT_FILE_NAME } from '../../lib/node/checkpointer.js';
import { NodeFileSystem } from '../../lib/storage/index.js';
import { getJson, postJson } from '../helpers/node-cluster.js';
import { waitFor } from '../helpers/wait.js';

const QUERIES = ['limit=1000&order=asc', 'level=error&limit=1000', 'label.zone=b&limit=1000&order=desc'];

async function write(url: string, from: number, count: number): Promise<void> {
  for (let at = from; at < from + count; at += 100) {
    const batch = Array.from({ length: 100 }, (_, k) => ({
      id: `w-${(at + k) % 37 === 0 ? at + k - 30 : at + k}`, // some retries of earlier ids
      message: `entry ${at + k}`,
      level: ['info', 'error', 'debug'][(at + k) % 3],
      labels: { zone: (at + k) % 2 === 0 ? 'a' : 'b' },
    }));
    const reply = await postJson(`${url}/write`, batch);
    if (reply.status !== 200) throw new Error(JSON.stringify(reply.body));
  }
}

async function answers(url: string) {
  const out = [];
  for (const q of QUERIES) out.push((await getJson(`${url}/logs?${q}`)).body);
  return out;
}

function checkpointIndex(dataDir: string): number {
  const read = readCheckpoint(new NodeFileSystem(), join(dataDir, CHECKPOINT_FILE_NAME));
  return 'checkpoint' in read ? read.checkpoint.machine.applied : 0;
}

test('a SIGKILLed node reopens from its older checkpoint plus a replay of the rest, answering as before', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'lc-sigkill-'));
  const cluster = new ClusterManager({ nodes: 1, basePort: 0, dataDir });
  t.teardown(async () => {
    await cluster.stop().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  });
  await cluster.start();
  const [spec] = cluster.config.nodes;
  await write(spec.url, 0, 400);
  await cluster.stop(); // graceful: the checkpoint is at the last applied index
  const saved = checkpointIndex(spec.dataDir);
  t.true(saved >= 400);

  await cluster.start();
  await write(spec.url, 400, 300);
  const expected = await answers(spec.url);
  await cluster.kill(spec.id); // no checkpoint at this stop
  t.is(checkpointIndex(spec.dataDir), saved, 'only the older checkpoint is on disk');
  await cluster.restart(spec.id);
  const applied = await waitFor(
    'the tail replayed',
    async () => {
      const health = (await getJson(`${spec.url}/health`).catch(() => null))?.body;
      return health && health.applied_index >= saved + 300 ? health.applied_index : null;
    },
    20_000,
  );
  t.true(applied > saved);
  t.deepEqual(await answers(spec.url), expected);
});
