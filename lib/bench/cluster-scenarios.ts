/**
 * The scenarios that share one 3-node logcluster: single-entry writes (with the bare ceiling and
 * etcd interleaved), batched writes, reads, and the query over its loaded entries. Each is
 * watched for elections: a term that moves during a scenario means the leader was lost under
 * load, which the report notes (its figures then include an election).
 */
import { join } from 'node:path';
import { BenchCluster } from './bench-cluster.js';
import { runCells } from './cells.js';
import type { BenchContext } from './context.js';
import { batchCells, type MutableOrigins, readCells, writeCells } from './load-cells.js';
import { type BenchScenario, LOAD_BATCH_ENTRIES } from './options.js';
import { runQuery } from './query.js';
import type { LoadRow, QueryLoadResult } from './report.js';
import { batchBody } from './workload.js';

/** A fresh cluster elects its first leader in about a second; this bounds every leader wait. */
export const LEADER_WAIT_MS = 15_000;

/** Runs `work`, noting when the cluster's term moved meanwhile (an election under load). */
function termWatch(ctx: BenchContext, cluster: BenchCluster) {
  return async <T>(scenario: string, work: () => Promise<T>): Promise<T> => {
    const before = (await cluster.leader(LEADER_WAIT_MS)).health.term;
    const result = await work();
    const after = (await cluster.leader(LEADER_WAIT_MS)).health.term;
    if (after !== before)
      ctx.note(`the term moved from ${before} to ${after} during ${scenario}: leader election(s) under load`);
    return result;
  };
}

/**
 * Seconds of single-entry writes per warm-up phase (1 connection, then 16) in a full run. A fresh
 * node runs unoptimized JavaScript at first: V8 optimized 400-700 functions per node over the
 * first ~10 s of writes (`--trace-opt`), and a 1-connection p99 fell from ~7 ms to ~1.7 ms over
 * that time. A Go server (etcd) has no such warm-up; it gets the same phases anyway.
 */
export const JIT_WARMUP_SEC = 5;

/** Warms every measured system (logcluster, etcd) with the same writes before the first cell. */
async function warmUp(ctx: BenchContext, origins: MutableOrigins): Promise<void> {
  const phaseSec = ctx.options.quick ? ctx.options.warmupSec : JIT_WARMUP_SEC;
  const cells = writeCells(origins).filter(
    (c) =>
      (c.target === 'logcluster' || c.target === 'etcd') && (c.connections === 1 || c.connections === 16),
  );
  ctx.progress(`warming up (${phaseSec} s of writes at 1 and at 16 connections, each system) ...`);
  for (const c of cells) await ctx.gen.run(c.job(phaseSec));
}

/** Starts the shared cluster, runs the selected scenarios on it, stops it. */
export async function runClusterScenarios(
  ctx: BenchContext,
  results: { rows: LoadRow[]; queryLoad: QueryLoadResult | null },
  origins: MutableOrigins,
  services: (() => Promise<void>)[],
): Promise<void> {
  const want = (s: BenchScenario) => ctx.options.scenarios.includes(s);
  ctx.progress('starting a 3-node logcluster (node processes, default durable settings) ...');
  const profDir = ctx.options.cpuProfDir ? join(ctx.options.cpuProfDir, 'cluster') : null;
  const cluster = await BenchCluster.start({
    dataDir: join(ctx.root, 'cluster'),
    nodes: 3,
    cpuProfDir: profDir,
  });
  const stopCluster = ctx.teardown.defer('logcluster', () => cluster.stop());
  origins.pids.logcluster = () => cluster.pids();
  const leaderUrl = async () => (await cluster.leader(LEADER_WAIT_MS)).url;
  origins.logcluster = await leaderUrl();
  await warmUp(ctx, origins);
  const add = (rows: LoadRow[]) => results.rows.push(...rows);
  const watch = termWatch(ctx, cluster);
  if (want('write')) add(await watch('write', () => runCells(ctx.gen, writeCells(origins), ctx.cellPlan())));
  if (want('batch'))
    add(
      await watch('batch', async () =>
        runCells(ctx.gen, batchCells(await leaderUrl(), origins.pids), ctx.cellPlan()),
      ),
    );
  if (want('read')) {
    origins.logcluster = await leaderUrl();
    const written = await cluster.http.call(
      'POST',
      `${origins.logcluster}/write`,
      batchBody(LOAD_BATCH_ENTRIES),
      30_000,
    );
    const paths = ((written.body?.results as { file_path: string }[] | undefined) ?? []).map(
      (r) => r.file_path,
    );
    if (paths.length === 0)
      throw new Error(`could not write the entries to read (HTTP ${written.status} ${written.error ?? ''})`);
    add(await watch('read', () => runCells(ctx.gen, readCells(origins, paths), ctx.cellPlan())));
  }
  // etcd and the bare server are idle from here on: stop them so they cost nothing.
  for (const stop of services.splice(0)) await stop();
  if (want('query')) {
    const query = await watch('query', async () => runQuery(ctx, cluster, await leaderUrl()));
    add(query.rows);
    results.queryLoad = query.load;
  }
  await stopCluster();
}
