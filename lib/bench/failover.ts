/**
 * Failover: SIGKILL the leader while a writer runs, time until writes are acknowledged again,
 * restart the killed node, let it catch up, repeat.
 */
import type { BenchCluster } from './bench-cluster.js';
import type { BenchContext } from './context.js';
import { FailoverWriter } from './failover-writer.js';
import type { FailoverResult } from './report.js';
import { median } from './stats.js';

/** Longest wait for writes after a kill before the round counts as not recovered. */
export const RECOVERY_TIMEOUT_MS = 15_000;
/** Longest wait for a leader before a round starts. */
export const LEADER_TIMEOUT_MS = 15_000;
/** A restarted node replays its log (1M+ entries here) and catches up: bounded, but generously. */
export const CATCH_UP_TIMEOUT_MS = 180_000;

/** Runs `ctx.options.failoverRounds` kill/recover rounds on `cluster`. */
export async function runFailover(ctx: BenchContext, cluster: BenchCluster): Promise<FailoverResult> {
  const rounds = ctx.options.failoverRounds;
  const recoveryMs: (number | null)[] = [];
  const urls = Object.values(cluster.urls);
  const first = await cluster.leader(LEADER_TIMEOUT_MS);
  const logEntries = first.health.commit_index;
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
      const doneAt = await writer.firstAckSentAfter(killAt, RECOVERY_TIMEOUT_MS);
      recoveryMs.push(doneAt === null ? null : doneAt - killAt);
      ctx.progress(
        `failover round ${round}/${rounds}: killed ${leader.id}; writes again after ${
          doneAt === null ? `> ${RECOVERY_TIMEOUT_MS}` : (doneAt - killAt).toFixed(0)
        } ms`,
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
    logEntries,
  };
}
