/**
 * Durability across a whole-cluster crash: every node process is SIGKILLed at the same moment
 * while writes are in flight (no node gets to flush or say goodbye), then all are restarted from
 * their data directories. Every write acknowledged before the crash must still be there, on
 * every node, at the index it was acknowledged at, exactly once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { ClusterManager, isLogClusterError, LogClusterClient } from '../../lib/index.js';
import { readWholeLog, waitConverged } from '../chaos/final-state.js';

/** Concurrent writers: enough that several writes are always in flight when the kill lands. */
const WRITERS = 8;
/** Crash cycles: the second crash hits a cluster that already recovered once. */
const CYCLES = 2;
/** Writes acknowledged before each crash (then the kill comes at once, mid-flight). */
const ACKED_BEFORE_CRASH = 100;

interface Acked {
  readonly id: string;
  readonly index: number;
  readonly message: string;
}

test('every acknowledged write survives SIGKILL of all nodes at once', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'lc-crash-'));
  const cluster = new ClusterManager({
    nodes: 3,
    basePort: 0,
    dataDir,
    electionTimeoutMs: 300,
    tickIntervalMs: 25,
    healthIntervalMs: 100,
  });
  t.teardown(async () => {
    await cluster.stop();
    await rm(dataDir, { recursive: true, force: true });
  });
  await cluster.start();
  const nodes = cluster.config.nodes.map((n) => ({ id: n.id, url: n.url }));
  const client = new LogClusterClient({ nodes: nodes.map((n) => n.url), retries: 2, timeoutMs: 2_000 });
  t.teardown(() => client.close());
  const acked: Acked[] = [];
  let sequence = 0;

  for (let cycle = 1; cycle <= CYCLES; cycle++) {
    let crashed = false;
    let inFlight = 0;
    let inFlightAtCrash = 0;
    const target = acked.length + ACKED_BEFORE_CRASH;
    const writer = async (): Promise<void> => {
      while (!crashed) {
        const k = ++sequence;
        const entry = { id: `crash-${k}`, message: `value-${k}`, source: 'crash-test' };
        inFlight++;
        try {
          const result = await client.write(entry);
          acked.push({ id: entry.id, index: result.index, message: entry.message });
        } catch (error) {
          if (!isLogClusterError(error)) throw error; // refused or unknown: nothing promised
        } finally {
          inFlight--;
        }
      }
    };
    const writers = Array.from({ length: WRITERS }, writer);
    while (acked.length < target) await new Promise((resolve) => setTimeout(resolve, 5));
    inFlightAtCrash = inFlight;
    const ackedAtCrash = acked.length;
    await Promise.all(nodes.map((n) => cluster.kill(n.id)));
    crashed = true;
    await Promise.all(writers);
    t.true(inFlightAtCrash > 0, 'writes were in flight when every node was killed');
    // A write whose reply raced the kill is acknowledged too: it is checked like the others.
    t.log(
      `cycle ${cycle}: ${ackedAtCrash} acked at the kill, ${acked.length} in all, ${inFlightAtCrash} in flight`,
    );

    await Promise.all(nodes.map((n) => cluster.restart(n.id)));
    const convergence = await waitConverged(nodes);
    t.true(convergence.converged, `nodes converge after the restart: ${JSON.stringify(convergence.last)}`);
    await assertAllPresent(t, nodes, acked);
  }
});

async function assertAllPresent(
  t: import('ava').ExecutionContext,
  nodes: readonly { id: string; url: string }[],
  acked: readonly Acked[],
): Promise<void> {
  for (const node of nodes) {
    const one = new LogClusterClient({ nodes: [node.url], retries: 0, timeoutMs: 5_000 });
    try {
      const missing: string[] = [];
      for (const entry of acked) {
        const record = await one.read(entry.id, { consistency: 'local' }).catch(() => null);
        if (
          record === null ||
          record.index !== entry.index ||
          record.original_data.message !== entry.message
        ) {
          missing.push(
            `${entry.id}@${entry.index}: ${record === null ? 'missing' : `${record.id}@${record.index}`}`,
          );
        }
      }
      t.deepEqual(missing, [], `${node.id} holds every acknowledged write at its index`);
      const log = await readWholeLog(one);
      t.is(new Set(log.map((e) => e.id)).size, log.length, `${node.id}: no id stored twice`);
    } finally {
      one.close();
    }
  }
  const reader = new LogClusterClient({ nodes: nodes.map((n) => n.url), retries: 3 });
  try {
    const last = acked.at(-1)!;
    const record = await reader.read(last.id, { consistency: 'linearizable' });
    t.is(record.index, last.index, 'a linearizable read sees the last acknowledged write');
  } finally {
    reader.close();
  }
}
