/**
 * Reopening a big log: fill a single-node cluster with ~1 GB (100 MB with --quick) through big
 * batches, stop it, then time starting it again: to an elected leader, and to every entry applied
 * (its query indexes rebuilt). The page cache is warm (the data was just written): that is the
 * restart-after-crash case on a machine that stayed up, not a cold boot.
 */
import { join } from 'node:path';
import { BenchCluster } from './bench-cluster.js';
import type { BenchContext } from './context.js';
import { LOAD_BATCH_ENTRIES } from './options.js';
import { loadEntries } from './query.js';
import type { ReopenResult } from './report.js';
import { summarize } from './stats.js';

/** Load rounds at most: the first measures bytes per entry, the next fill the rest. */
export const FILL_ROUNDS_MAX = 5;
/** A start or full replay of the log taking longer than this is reported as a failure. */
export const REOPEN_TIMEOUT_MS = 300_000;
/** Entries of the first fill round (sizes the rest). */
const PROBE_ENTRIES = 50 * LOAD_BATCH_ENTRIES;

async function storageBytes(cluster: BenchCluster, url: string): Promise<number> {
  const stats = await cluster.http.call('GET', `${url}/stats`, undefined, 10_000);
  return Number((stats.body?.storage as { bytes?: number } | undefined)?.bytes ?? 0);
}

/** Fills, stops and reopens a single node options.runs times. */
export async function runReopen(ctx: BenchContext): Promise<ReopenResult> {
  const dataDir = join(ctx.root, 'reopen');
  const profDir = ctx.options.cpuProfDir ? join(ctx.options.cpuProfDir, 'reopen') : null;
  const start = () => BenchCluster.start({ dataDir, nodes: 1, cpuProfDir: profDir, healthIntervalMs: 20 });
  const target = ctx.options.reopenBytes;
  let cluster = await start();
  let stop = ctx.teardown.defer('reopen cluster', () => cluster.stop());
  const leader = await cluster.leader(15_000);
  let bytes = 0;
  let entries = 0;
  let loadSec = 0;
  for (let round = 0; round < FILL_ROUNDS_MAX && bytes < target; round++) {
    ctx.checkpoint();
    const perEntry = entries > 0 ? bytes / entries : 0;
    const count = perEntry > 0 ? Math.ceil((target - bytes) / perEntry) : PROBE_ENTRIES;
    const load = await loadEntries(ctx, cluster, leader.url, count);
    loadSec += load.loaded / Math.max(load.entriesPerSec, 1e-9);
    entries = load.stored;
    bytes = await storageBytes(cluster, leader.url);
  }
  await cluster.waitApplied(leader.id, entries, REOPEN_TIMEOUT_MS);
  ctx.progress(`reopen: ${(bytes / 1e6).toFixed(0)} MB, ${entries.toLocaleString('en-US')} entries stored`);
  await stop();
  const toLeader: number[] = [];
  const toApplied: number[] = [];
  for (let run = 1; run <= ctx.options.runs; run++) {
    ctx.checkpoint();
    const started = performance.now();
    cluster = await start();
    stop = ctx.teardown.defer('reopen cluster', () => cluster.stop());
    toLeader.push(performance.now() - started);
    await cluster.waitApplied('node1', entries, REOPEN_TIMEOUT_MS);
    toApplied.push(performance.now() - started);
    ctx.progress(
      `reopen run ${run}/${ctx.options.runs}: leader after ${toLeader.at(-1)!.toFixed(0)} ms, all applied after ${toApplied.at(-1)!.toFixed(0)} ms`,
    );
    await stop();
  }
  return {
    bytes,
    entries,
    loadEntriesPerSec: entries / Math.max(loadSec, 1e-9),
    loadMBPerSec: bytes / Math.max(loadSec, 1e-9) / 1e6,
    toLeaderMs: summarize(toLeader),
    toAppliedMs: summarize(toApplied),
  };
}
