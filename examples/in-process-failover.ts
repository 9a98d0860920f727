/**
 * A 3-node cluster inside one process: write, kill the leader, watch the others elect a new one,
 * write again, bring the old leader back and see it catch up.
 *
 *   npx tsx examples/in-process-failover.ts
 *
 * In your project, import from 'logcluster' instead of '../lib/index.js'.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterManager } from '../lib/index.js';

const dataDir = await mkdtemp(join(tmpdir(), 'logcluster-failover-'));
// basePort 0: three consecutive free ports are picked for us.
const cluster = new ClusterManager({ nodes: 3, basePort: 0, dataDir, mode: 'in-process' });
cluster.on('leader-change', (e) =>
  console.log(`leader-change: ${e.previousLeaderId ?? 'none'} -> ${e.leaderId ?? 'none'} (term ${e.term})`),
);
cluster.on('node-down', (e) => console.log(`node-down: ${e.id} (${e.reason})`));
cluster.on('node-up', (e) => console.log(`node-up: ${e.id}`));

try {
  await cluster.start();
  const first = cluster.leaderId!;
  console.log(`leader elected: ${first}`);
  const before = await cluster.write({ message: 'written before the failover', source: 'example' });
  console.log(`stored ${before.file_path}`);

  await cluster.kill(first);
  const started = Date.now();
  let next = cluster.leaderId;
  while (next === null || next === first) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    next = cluster.leaderId;
  }
  console.log(`new leader ${next} after ${Date.now() - started} ms`);

  const after = await cluster.write({ message: 'written after the failover', source: 'example' });
  console.log(`stored ${after.file_path}`);
  const entry = await cluster.read(before.file_path);
  console.log(`the first entry survived: "${entry.original_data.message}"`);

  await cluster.restart(first);
  console.log(
    `${first} restarted; the cluster has ${cluster.status().nodes.filter((n) => n.up).length} nodes up`,
  );
} finally {
  try {
    await cluster.stop();
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
