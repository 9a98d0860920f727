import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { ClusterManager, type ClusterManagerOptions } from '../../lib/cluster/cluster-manager.js';
import { controlSocketPath, sendControl } from '../../lib/cluster/control-socket.js';
import type { ClusterEventMap } from '../../lib/cluster/events.js';
import { processStatus } from '../../lib/cluster/pids.js';
import { freePortRange } from '../helpers/free-port.js';

/** Issue 5: a dead, paused or isolated node is noticed within about a second. */
const DETECT_DEADLINE_MS = 1500;
/** Issue 5: a new leader within 3 s. */
const FAILOVER_DEADLINE_MS = 3000;

async function managed(t: ExecutionContext, options: ClusterManagerOptions): Promise<ClusterManager> {
  const dataDir = await mkdtemp(join(tmpdir(), 'lc-manager-'));
  const cluster = new ClusterManager({ nodes: 3, basePort: 0, dataDir, ...options });
  t.teardown(async () => {
    try {
      await cluster.stop();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
  return cluster;
}

/** Resolves with the first event of that name matching `check`, or rejects after timeoutMs. */
function nextEvent<K extends keyof ClusterEventMap>(
  cluster: ClusterManager,
  name: K,
  check: (event: ClusterEventMap[K][0]) => boolean,
  timeoutMs: number,
): Promise<ClusterEventMap[K][0]> {
  return new Promise((resolve, reject) => {
    const emitter = cluster as unknown as import('node:events').EventEmitter;
    const timer = setTimeout(() => {
      emitter.off(name, listener);
      reject(new Error(`no ${name} within ${timeoutMs} ms`));
    }, timeoutMs);
    function listener(event: ClusterEventMap[K][0]): void {
      if (!check(event)) return;
      clearTimeout(timer);
      emitter.off(name, listener);
      resolve(event);
    }
    emitter.on(name, listener);
  });
}

test('in-process: start elects a leader; writes route to it; killing it elects another', async (t) => {
  const cluster = await managed(t, { mode: 'in-process' });
  await cluster.start();
  const first = cluster.leaderId!;
  t.truthy(first);
  const written = await cluster.write({ message: 'in-process hello', source: 'test' });
  t.is((await cluster.read(written.file_path)).original_data.message, 'in-process hello');
  t.is((await cluster.query({ source: 'test' })).entries.length, 1);

  const change = nextEvent(
    cluster,
    'leader-change',
    (e) => e.leaderId !== null && e.leaderId !== first,
    FAILOVER_DEADLINE_MS,
  );
  await cluster.kill(first);
  const { leaderId } = await change;
  t.not(leaderId, first);
  await cluster.write({ message: 'after failover', source: 'test' });
  const up = nextEvent(cluster, 'node-up', (e) => e.id === first, 5000);
  await cluster.restart(first);
  await up;
  t.is((await cluster.query({ source: 'test' })).entries.length, 2);
});

test('process mode: kill, pause and isolate are reported; heal and restart bring nodes back', async (t) => {
  const cluster = await managed(t, {});
  await cluster.start();
  const status = cluster.status();
  const pids = status.nodes.map((n) => n.pid!);
  t.true(pids.every((pid) => processStatus(pid) === 'running'));
  const [a, b, c] = cluster.nodeIds.filter((id) => id !== cluster.leaderId).concat(cluster.leaderId!);

  const killed = nextEvent(cluster, 'node-down', (e) => e.id === a, DETECT_DEADLINE_MS);
  await cluster.kill(a);
  t.is((await killed).reason, 'killed');
  t.is(processStatus(pids[cluster.nodeIds.indexOf(a)]), 'gone');
  const degraded = cluster
    .status()
    .nodes.filter((n) => !n.up)
    .map((n) => n.id);
  t.deepEqual(degraded, [a]);
  await cluster.restart(a);
  await nextEvent(cluster, 'node-up', (e) => e.id === a, 5000);

  // A pause the manager did not make (SIGSTOP from outside) is noticed by the health timeout.
  const pausedPid = cluster.status().nodes.find((n) => n.id === b)!.pid!;
  const started = Date.now();
  const silent = nextEvent(cluster, 'node-down', (e) => e.id === b, DETECT_DEADLINE_MS);
  process.kill(pausedPid, 'SIGSTOP');
  t.is((await silent).reason, 'timeout');
  t.log(`external SIGSTOP noticed after ${Date.now() - started} ms`);
  process.kill(pausedPid, 'SIGCONT');
  await nextEvent(cluster, 'node-up', (e) => e.id === b, 3000);

  const leader = c;
  const change = nextEvent(
    cluster,
    'leader-change',
    (e) => e.leaderId !== null && e.leaderId !== leader,
    FAILOVER_DEADLINE_MS,
  );
  const cut = nextEvent(cluster, 'node-down', (e) => e.id === leader, DETECT_DEADLINE_MS);
  await cluster.isolate(leader);
  t.is((await cut).reason, 'isolated');
  await change;
  await cluster.write({ message: 'written while the old leader is isolated' });
  await cluster.heal(leader);
  await nextEvent(cluster, 'node-up', (e) => e.id === leader, 5000);

  await cluster.stop();
  for (const node of cluster.status().nodes) t.is(node.state, 'stopped');
  t.true(pids.every((pid) => processStatus(pid) === 'gone'));
});

test('bad ids throw UNKNOWN_NODE; a taken port fails start with PORT_IN_USE and nothing left running', async (t) => {
  const base = await freePortRange(3);
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(base + 1, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const cluster = await managed(t, { basePort: base });
  await t.throwsAsync(cluster.kill('node9'), { message: /no node named "node9"/ });
  const error = await t.throwsAsync(cluster.start());
  t.is((error as { code?: string }).code, 'PORT_IN_USE');
  t.regex(error!.message, new RegExp(`port ${base + 1}`));
  t.true(cluster.status().nodes.every((n) => n.pid === null));
});

test('options are validated: a bad one names itself', (t) => {
  t.throws(() => new ClusterManager({ nodes: 0 }), { message: /option nodes must be an integer/ });
  t.throws(() => new ClusterManager({ mode: 'threads' as never }), { message: /option mode must be/ });
});

/** Pids of live processes whose environment mentions text (a node's spec names its data dir). */
function processesMentioning(text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').includes(text)) found.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

test('no leader in time is START_TIMEOUT, and every started node is stopped again', async (t) => {
  // An election timeout of ten minutes: no node campaigns while start() waits.
  const cluster = await managed(t, { startTimeoutMs: 300, electionTimeoutMs: 600_000 });
  const error = await t.throwsAsync(cluster.start());
  t.is((error as { code?: string }).code, 'START_TIMEOUT');
  t.regex(error!.message, /no leader was elected within 300 ms/);
  t.true(cluster.status().nodes.every((n) => n.state === 'stopped' && n.pid === null));
  t.deepEqual(processesMentioning(cluster.config.dataDir), [], 'no node process of this cluster is left');
});

test("a node isolated behind the manager's back is noticed as isolated", async (t) => {
  const cluster = await managed(t, {});
  await cluster.start();
  const follower = cluster.nodeIds.find((id) => id !== cluster.leaderId)!;
  const started = Date.now();
  // Election timeout (up to 2 x 500 ms) for the follower to drop its leader, then 2 poll rounds.
  const noticed = nextEvent(cluster, 'node-down', (e) => e.id === follower, 2500);
  await sendControl(controlSocketPath(cluster.config.dataDir, follower), {
    type: 'isolate',
    direction: 'both',
  });
  t.is((await noticed).reason, 'isolated');
  t.log(`external isolation noticed after ${Date.now() - started} ms`);
  await sendControl(controlSocketPath(cluster.config.dataDir, follower), { type: 'heal' });
  await nextEvent(cluster, 'node-up', (e) => e.id === follower, 5000);
});
