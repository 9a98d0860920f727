/**
 * Failover: SIGKILL the leader while a writer runs, time until writes are acknowledged again,
 * restart the killed node, let it catch up, repeat. Runs on a cluster of its own with a modest
 * log: the election does not depend on the log's size, but a restarted node's replay does, and
 * replaying the other scenarios' millions of entries 20 times would only make the run long.
 */
import { join } from 'node:path';
import { BenchCluster } from './bench-cluster.js';
import type { BenchContext } from './context.js';
import { FailoverWriter } from './failover-writer.js';
import { pollUntil } from './http.js';
import { loadEntries } from './query.js';
import type { FailoverResult } from './report.js';
import { median } from './stats.js';

/** Longest wait for writes after a kill before the round counts as not recovered. */
export const RECOVERY_TIMEOUT_MS = 15_000;
/** Longest wait for a leader before a round starts. */
export const LEADER_TIMEOUT_MS = 15_000;
/** A restarted node replays its log and catches up: bounded, but generously. */
export const CATCH_UP_TIMEOUT_MS = 120_000;
/** /health poll period while waiting for the survivors to elect: fine enough to split the recovery time. */
export const ELECTION_POLL_MS = 10;
/** Entries in the log before the first kill (with the level mix of the query scenario). */
export const FAILOVER_PREFILL_ENTRIES = 20_000;

/** Starts a fresh 3-node cluster and runs `ctx.options.failoverRounds` kill/recover rounds on it. */
export async function runFailover(ctx: BenchContext): Promise<FailoverResult> {
  ctx.progress('failover: starting a fresh 3-node logcluster ...');
  const profDir = ctx.options.cpuProfDir ? join(ctx.options.cpuProfDir, 'failover') : null;
  const cluster = await BenchCluster.start({
    dataDir: join(ctx.root, 'failover'),
    nodes: 3,
    cpuProfDir: profDir,
  });
  const stop = ctx.teardown.defer('failover cluster', () => cluster.stop());
  const first = await cluster.leader(LEADER_TIMEOUT_MS);
  const { stored } = await loadEntries(ctx, cluster, first.url, FAILOVER_PREFILL_ENTRIES);
  const result = await killRounds(ctx, cluster, stored);
  await stop();
  return result;
}

async function killRounds(
  ctx: BenchContext,
  cluster: BenchCluster,
  logEntries: number,
): Promise<FailoverResult> {
  const rounds = ctx.options.failoverRounds;
  const recoveryMs: (number | null)[] = [];
  const electedMs: (number | null)[] = [];
  const urls = Object.values(cluster.urls);
  for (let round = 1; round <= rounds; round++) {
    ctx.checkpoint();
    const leader = await cluster.leader(LEADER_TIMEOUT_MS);
    const writer = new FailoverWriter(urls);
    writer.start();
    try {
      const warm = await writer.firstAckSentAfter(performance.now(), RECOVERY_TIMEOUT_MS);
      if (warm === null) throw new Error(`round ${round}: no write succeeded before the kill`);
      const killAt = performance.now();
      await cluster.kill(leader.id);
      const elected = newLeaderAt(cluster, leader.id, leader.health.term);
      const doneAt = await writer.firstAckSentAfter(killAt, RECOVERY_TIMEOUT_MS);
      const electedAt = await elected;
      recoveryMs.push(doneAt === null ? null : doneAt - killAt);
      electedMs.push(electedAt === null ? null : electedAt - killAt);
      ctx.progress(
        `failover round ${round}/${rounds}: killed ${leader.id}; ${
          electedAt === null ? 'no leader seen' : `a new leader after ${(electedAt - killAt).toFixed(0)} ms`
        }; writes again after ${doneAt === null ? `> ${RECOVERY_TIMEOUT_MS}` : (doneAt - killAt).toFixed(0)} ms`,
      );
    } finally {
      await writer.stop();
    }
    await cluster.restart(leader.id);
    const next = await cluster.leader(LEADER_TIMEOUT_MS);
    await cluster.waitApplied(leader.id, next.health.commit_index, CATCH_UP_TIMEOUT_MS);
  }
  const measured = recoveryMs.map((ms) => ms ?? RECOVERY_TIMEOUT_MS);
  return {
    rounds,
    recoveryMs,
    p50Ms: median(measured),
    maxMs: Math.max(...measured),
    electedMs,
    electedP50Ms: median(electedMs.map((ms) => ms ?? RECOVERY_TIMEOUT_MS)),
    logEntries,
  };
}

/**
 * When (performance.now) a survivor first answers /health as leader of a term after `term`,
 * polled every ELECTION_POLL_MS; null if none within RECOVERY_TIMEOUT_MS. Splits a round's
 * recovery into the election and the clients' way back to a leader.
 */
async function newLeaderAt(cluster: BenchCluster, killed: string, term: number): Promise<number | null> {
  const survivors = cluster.manager.nodeIds.filter((id) => id !== killed);
  try {
    return await pollUntil(
      'a new leader',
      async () => {
        const answers = await Promise.all(survivors.map((id) => cluster.health(id)));
        const now = performance.now();
        return answers.some((h) => h?.role === 'leader' && h.term > term) ? now : null;
      },
      RECOVERY_TIMEOUT_MS,
      ELECTION_POLL_MS,
    );
  } catch {
    return null;
  }
}
