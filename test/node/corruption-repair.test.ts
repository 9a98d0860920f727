import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { getJson, postJson, startCluster } from '../helpers/node-cluster.js';
import { waitFor } from '../helpers/wait.js';

test('a flipped byte in a segment is detected, cut away, and repaired from the peers', async (t) => {
  const cluster = await startCluster(3);
  t.teardown(() => cluster.close());
  const leader = await cluster.leader();
  const victim = cluster.ids.find((id) => id !== leader)!;
  for (let i = 0; i < 30; i++) {
    const { status } = await postJson(`${cluster.urls[leader]}/write`, {
      message: `corrupt-me-${i}`,
      id: `entry-${i}`,
    });
    t.is(status, 200);
  }
  const commit = cluster.nodes.get(leader)!.status().commitIndex;
  await waitFor(
    'the victim to apply everything',
    () => cluster.nodes.get(victim)!.status().appliedIndex >= commit,
  );
  await cluster.stopNode(victim);

  // Flip one byte inside entry 15's message, in the middle of the victim's log.
  const logDir = join(cluster.dir, victim, 'raft', 'log');
  const segment = readdirSync(logDir).find((name) => name.endsWith('.log'))!;
  const path = join(logDir, segment);
  const bytes = readFileSync(path);
  const at = bytes.indexOf('corrupt-me-15');
  t.true(at > 0);
  bytes[at + 3] ^= 0xff;
  writeFileSync(path, bytes);

  const restarted = await cluster.startNode(victim);
  const status = restarted.status();
  t.true(status.lastIndex < commit, `the log was cut back (last ${status.lastIndex} < ${commit})`);
  t.true(existsSync(join(cluster.dir, victim, 'raft', 'repair')), 'the vote barrier is on disk');
  await waitFor('the repaired node to catch up', () => restarted.status().appliedIndex >= commit);
  await waitFor('the barrier to be lifted', () => !existsSync(join(cluster.dir, victim, 'raft', 'repair')));
  const read = await getJson(`${cluster.urls[victim]}/read/entry-15?consistency=local`);
  t.is(read.status, 200);
  t.is(read.body.data.original_data.message, 'corrupt-me-15');
  const write = await postJson(`${cluster.urls[victim]}/write`, { message: 'after repair' });
  t.is(write.status, 200);
});
