import test from 'ava';
import { getJson, postJson, startCluster } from '../helpers/node-cluster.js';
import { waitFor } from '../helpers/wait.js';

test('a minority node refuses linearizable reads (503) and serves consistency=local', async (t) => {
  const cluster = await startCluster(3);
  t.teardown(() => cluster.close());
  const leader = await cluster.leader();
  const { body } = await postJson(`${cluster.urls[leader]}/write`, { message: 'before the partition' });
  const [survivor, ...others] = cluster.ids;
  await waitFor(
    'the write applied on the survivor',
    () => cluster.nodes.get(survivor)!.status().appliedIndex >= body.index,
  );
  for (const id of others) await cluster.stopNode(id);
  const url = cluster.urls[survivor];
  const linearizable = await getJson(`${url}/read/${body.file_path}`);
  t.is(linearizable.status, 503);
  t.true(['NO_QUORUM', 'NO_LEADER', 'TIMEOUT'].includes(linearizable.body.code), linearizable.body.code);
  const local = await getJson(`${url}/read/${body.file_path}?consistency=local`);
  t.is(local.status, 200);
  t.is(local.body.data.original_data.message, 'before the partition');
  const health = await waitFor('health to report no leader', async () => {
    const h = await getJson(`${url}/health`);
    return h.status === 503 ? h : null;
  });
  t.is(health.body.success, false);
  t.is(health.body.code, 'NO_LEADER');
  const write = await postJson(`${url}/write`, { message: 'no quorum' });
  t.is(write.status, 503);
});

test('the leader stopping leads to a new leader, and a restarted node catches up', async (t) => {
  const cluster = await startCluster(3);
  t.teardown(() => cluster.close());
  const oldLeader = await cluster.leader();
  await cluster.stopNode(oldLeader);
  const newLeader = await cluster.leader();
  t.not(newLeader, oldLeader);
  const results: number[] = [];
  for (let i = 0; i < 20; i++) {
    const { status, body } = await postJson(`${cluster.urls[newLeader]}/write`, {
      message: `after failover ${i}`,
    });
    t.is(status, 200);
    results.push(body.index);
  }
  const node = await cluster.startNode(oldLeader);
  const leaderNode = cluster.nodes.get(newLeader)!;
  await waitFor(
    'the restarted node to catch up',
    () => node.status().appliedIndex >= leaderNode.status().commitIndex,
  );
  const local = await getJson(
    `${cluster.urls[oldLeader]}/read/log_${String(results.at(-1)).padStart(20, '0')}.json?consistency=local`,
  );
  t.is(local.status, 200);
  t.is(local.body.data.original_data.message, 'after failover 19');
});

test('a node restarted from its data directory keeps every acknowledged entry', async (t) => {
  const cluster = await startCluster(3);
  t.teardown(() => cluster.close());
  const leader = await cluster.leader();
  const acked: string[] = [];
  for (let i = 0; i < 10; i++) {
    const { body } = await postJson(`${cluster.urls[leader]}/write`, {
      message: `durable ${i}`,
      id: `durable-${i}`,
    });
    acked.push(body.file_path);
  }
  for (const id of [...cluster.ids]) await cluster.stopNode(id);
  for (const id of cluster.ids) await cluster.startNode(id);
  await cluster.leader();
  for (const path of acked) {
    const read = await getJson(`${cluster.urls.node2}/read/${path}`);
    t.is(read.status, 200, path);
  }
  const again = await postJson(`${cluster.urls.node1}/write`, { message: 'durable 3', id: 'durable-3' });
  t.true(again.body.duplicate, 'the dedup window survived the restart');
});
