import test from 'ava';
import { LogClusterClient } from '../../lib/index.js';
import { postJson, startCluster } from '../helpers/node-cluster.js';
import { waitFor } from '../helpers/wait.js';

test('/logs/stream resumes on another node after the node serving it is killed: no gap, no repeat', async (t) => {
  const cluster = await startCluster(3);
  t.teardown(() => cluster.close());
  const leader = await cluster.leader();
  const serving = cluster.ids.find((id) => id !== leader)!;
  const others = cluster.ids.filter((id) => id !== serving).map((id) => cluster.urls[id]);
  // The serving node first, so the stream starts there.
  const client = new LogClusterClient({ nodes: [cluster.urls[serving], ...others], retryBaseMs: 20 });
  t.teardown(() => client.close());
  const controller = new AbortController();
  const seen: string[] = [];
  const reading = (async () => {
    for await (const entry of client.stream({ source: 'failover-stream' }, { signal: controller.signal })) {
      seen.push(String(entry.original_data.message));
      if (seen.length === 20) break;
    }
  })();
  const write = (i: number) =>
    postJson(`${cluster.urls[leader]}/write`, { message: `m${i}`, source: 'failover-stream' });
  for (let i = 0; i < 10; i++) t.is((await write(i)).status, 200);
  await waitFor('the first ten events', () => seen.length >= 10);
  await cluster.stopNode(serving);
  for (let i = 10; i < 20; i++) t.is((await write(i)).status, 200);
  await Promise.race([
    reading,
    waitFor('the stream to finish', () => seen.length >= 20, 15_000).then(() => reading),
  ]);
  controller.abort();
  t.deepEqual(
    seen,
    Array.from({ length: 20 }, (_, i) => `m${i}`),
  );
});
