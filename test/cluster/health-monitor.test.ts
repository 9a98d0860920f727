import test from 'ava';
import type { ClusterEventMap } from '../../lib/cluster/events.js';
import {
  HealthMonitor,
  type HealthReply,
  type ProbeResult,
  pickLeader,
} from '../../lib/cluster/health-monitor.js';

function reply(role: string, term: number, leader: string | null, status = 'healthy'): ProbeResult {
  const r: HealthReply = { status, role, term, leader_id: leader, commit_index: 1, applied_index: 1 };
  return { ok: true, reply: r };
}

/** A monitor over three voters whose probe answers from a table the test edits. */
function setup() {
  const table: Record<string, ProbeResult> = {
    node1: reply('follower', 1, null, 'unhealthy'),
    node2: reply('follower', 1, null, 'unhealthy'),
    node3: reply('follower', 1, null, 'unhealthy'),
  };
  const monitor = new HealthMonitor({
    nodes: ['node1', 'node2', 'node3'].map((id) => ({ id, voter: true })),
    probe: async (id) => table[id],
  });
  const events: string[] = [];
  const names: (keyof ClusterEventMap)[] = ['node-down', 'node-up', 'leader-change', 'degraded', 'healthy'];
  for (const name of names) {
    (monitor as import('node:events').EventEmitter).on(name, (event: Record<string, unknown>) => {
      const { at: _at, ...rest } = event;
      events.push(`${name} ${JSON.stringify(rest)}`);
    });
  }
  const take = () => events.splice(0);
  return { table, monitor, take };
}

test('a leaderless start is not degraded; the first leader is announced', async (t) => {
  const { table, monitor, take } = setup();
  await monitor.poll();
  t.deepEqual(take(), [
    'node-up {"id":"node1","role":"follower","term":1}',
    'node-up {"id":"node2","role":"follower","term":1}',
    'node-up {"id":"node3","role":"follower","term":1}',
  ]);
  table.node1 = reply('leader', 2, 'node1');
  table.node2 = reply('follower', 2, 'node1');
  await monitor.poll();
  t.deepEqual(take(), ['leader-change {"leaderId":"node1","previousLeaderId":null,"term":2}']);
  t.deepEqual(monitor.leader, { id: 'node1', term: 2 });
});

test('a silent, refused, isolated or stale node is down; recovery is reported', async (t) => {
  const { table, monitor, take } = setup();
  table.node1 = reply('leader', 2, 'node1');
  table.node2 = reply('follower', 2, 'node1');
  table.node3 = reply('follower', 2, 'node1');
  await monitor.poll();
  take();

  table.node3 = { ok: false, reason: 'timeout', detail: 'no answer in 400 ms' };
  await monitor.poll();
  t.deepEqual(take(), [
    'node-down {"id":"node3","reason":"timeout","detail":"no answer in 400 ms"}',
    'degraded {"down":["node3"],"votersUp":2,"votersTotal":3,"quorum":true}',
  ]);

  table.node3 = reply('pre-candidate', 2, null, 'unhealthy');
  await monitor.poll();
  t.deepEqual(take(), [], 'one round without a leader is a heartbeat gap, not a fault');
  await monitor.poll();
  t.deepEqual(take(), [
    'node-down {"id":"node3","reason":"isolated","detail":"no leader seen (role pre-candidate)"}',
  ]);

  table.node1 = reply('leader', 2, 'node1');
  table.node2 = reply('leader', 3, 'node2');
  table.node3 = reply('follower', 3, 'node2');
  await monitor.poll();
  t.deepEqual(take(), [
    'node-up {"id":"node3","role":"follower","term":3}',
    'leader-change {"leaderId":"node2","previousLeaderId":"node1","term":3}',
    'healthy {}',
  ]);
  await monitor.poll();
  t.deepEqual(take(), [
    'node-down {"id":"node1","reason":"stale-leader","detail":"claims term 2 < 3"}',
    'degraded {"down":["node1"],"votersUp":2,"votersTotal":3,"quorum":true}',
  ]);

  table.node1 = reply('follower', 3, 'node2');
  await monitor.poll();
  t.deepEqual(take(), ['node-up {"id":"node1","role":"follower","term":3}', 'healthy {}']);
});

test('forced faults are reported at once and lose quorum when a majority is gone', async (t) => {
  const { table, monitor, take } = setup();
  table.node1 = reply('leader', 2, 'node1');
  table.node2 = reply('follower', 2, 'node1');
  table.node3 = reply('follower', 2, 'node1');
  await monitor.poll();
  take();
  monitor.force('node2', 'killed');
  monitor.force('node3', 'paused');
  await monitor.poll();
  t.deepEqual(take(), [
    'node-down {"id":"node2","reason":"killed","detail":"killed by the manager"}',
    'node-down {"id":"node3","reason":"paused","detail":"paused by the manager"}',
    'degraded {"down":["node2","node3"],"votersUp":1,"votersTotal":3,"quorum":false}',
  ]);
  monitor.force('node2', null);
  await monitor.poll();
  t.deepEqual(take(), [
    'node-up {"id":"node2","role":"follower","term":2}',
    'degraded {"down":["node3"],"votersUp":2,"votersTotal":3,"quorum":true}',
  ]);
});

test('a stopped monitor emits nothing', async (t) => {
  const { monitor, take } = setup();
  monitor.start();
  monitor.stop();
  await monitor.poll();
  t.deepEqual(take(), []);
});

test('pickLeader prefers the highest term', (t) => {
  const answers = new Map([
    ['a', reply('leader', 4, 'a')],
    ['b', reply('leader', 5, 'b')],
  ]);
  t.deepEqual(pickLeader(new Map([...answers].map(([k, v]) => [k, (v as { reply: HealthReply }).reply]))), {
    id: 'b',
    term: 5,
  });
});
