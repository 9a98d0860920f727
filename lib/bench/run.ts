/**
 * runBenchmark: one benchmark run, end to end. Starts what the selected scenarios need (a 3-node
 * logcluster of real node processes with default durable settings, the bare node:http ceiling,
 * etcd with --compare etcd), measures, and tears everything down — also when a scenario fails or
 * the caller aborts (Ctrl-C) — before returning the report.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { LogClusterError } from '../errors.js';
import { BenchCluster } from './bench-cluster.js';
import { type CellPlan, runCells } from './cells.js';
import { forkEntry, killChild } from './children.js';
import { runColdStart } from './cold-start.js';
import type { BenchContext } from './context.js';
import { EtcdCluster, findEtcd } from './etcd.js';
import { runFailover } from './failover.js';
import { batchCells, type Origins, readCells, writeCells } from './load-cells.js';
import { LoadGenerator } from './load-generator.js';
import { machineInfo } from './machine.js';
import {
  type BenchOptions,
  type BenchScenario,
  LOAD_BATCH_ENTRIES,
  MESSAGE_BYTES,
  resolveBenchOptions,
} from './options.js';
import { runQuery } from './query.js';
import { runReopen } from './reopen.js';
import type { BenchReport, DiskResult, LoadRow } from './report.js';
import { summarize } from './stats.js';
import { checkTargets, ratiosOf } from './targets.js';
import { Teardown } from './teardown.js';
import { batchBody } from './workload.js';

/** How a caller follows and stops a run. */
export interface BenchHooks {
  /** Progress lines (what is being measured, each run's figures). */
  readonly onProgress?: (line: string) => void;
  /** Aborting tears everything down at once; runBenchmark then rejects. */
  readonly signal?: AbortSignal;
}

type Results = {
  -readonly [K in 'disk' | 'queryLoad' | 'failover' | 'coldStart' | 'reopen']: BenchReport[K];
} & { rows: LoadRow[] };

/** A fresh cluster elects its first leader in about a second; this bounds every leader wait. */
const LEADER_WAIT_MS = 15_000;

/**
 * Runs the benchmark. Throws INVALID_OPTION for bad options (or --compare etcd without etcd);
 * rejects when a scenario fails or the run is aborted — in every case after stopping every
 * process it started and removing its temporary data.
 */
export async function runBenchmark(input: BenchOptions = {}, hooks: BenchHooks = {}): Promise<BenchReport> {
  const options = resolveBenchOptions(input);
  const etcdBin = options.compareEtcd ? findEtcd(options.etcdBin) : null;
  if (options.compareEtcd && !etcdBin) {
    throw new LogClusterError(
      'INVALID_OPTION',
      `option compare: no etcd executable ${options.etcdBin ? `at ${options.etcdBin}` : 'on PATH'} (apt-get install etcd-server, or pass --etcd-bin)`,
      { option: 'compare' },
    );
  }
  if (options.cpuProfDir) mkdirSync(options.cpuProfDir, { recursive: true });
  const startedAt = new Date().toISOString();
  const machine = machineInfo(options.dir);
  const progress = hooks.onProgress ?? (() => {});
  const notes: string[] = [];
  const teardown = new Teardown();
  const root = mkdtempSync(join(options.dir, 'logcluster-bench-'));
  teardown.defer('remove temporary data', () => rm(root, { recursive: true, force: true }));
  const gen = new LoadGenerator();
  teardown.defer('load generator', () => gen.close());
  const onAbort = () => void teardown.close();
  hooks.signal?.addEventListener('abort', onAbort, { once: true });
  const checkpoint = () => {
    if (hooks.signal?.aborted || teardown.closed) throw new Error('the benchmark was interrupted');
  };
  const ctx: BenchContext = {
    options,
    gen,
    teardown,
    root,
    progress,
    note: (text) => {
      notes.push(text);
      progress(`note: ${text}`);
    },
    checkpoint,
    cellPlan: (): CellPlan => ({
      runs: options.runs,
      durationSec: options.durationSec,
      warmupSec: options.warmupSec,
      progress,
      checkpoint,
    }),
  };
  const results: Results = {
    rows: [],
    disk: null,
    queryLoad: null,
    failover: null,
    coldStart: null,
    reopen: null,
  };
  try {
    await runScenarios(ctx, results, etcdBin);
  } finally {
    hooks.signal?.removeEventListener('abort', onAbort);
    for (const failure of await teardown.close()) notes.push(`teardown: ${failure}`);
  }
  const report = {
    version: 1 as const,
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: { ...machine, loadAverageEnd: loadavg().map((n) => Math.round(n * 100) / 100) },
    options,
    ...results,
    ratios: ratiosOf(results.rows),
    targets: [] as BenchReport['targets'],
    notes,
  };
  return { ...report, targets: checkTargets(report) };
}

async function runScenarios(ctx: BenchContext, results: Results, etcdBin: string | null): Promise<void> {
  const want = (s: BenchScenario) => ctx.options.scenarios.includes(s);
  const origins: { -readonly [K in keyof Origins]: Origins[K] } = {
    logcluster: null,
    bare: null,
    etcd: null,
  };
  const services: (() => Promise<void>)[] = [];
  if (etcdBin && (want('write') || want('read'))) {
    ctx.progress(`starting a 3-member etcd (${etcdBin}) ...`);
    const etcd = await EtcdCluster.start(etcdBin, join(ctx.root, 'etcd'));
    services.push(ctx.teardown.defer('etcd', () => etcd.stop()));
    origins.etcd = await etcd.leaderUrl(LEADER_WAIT_MS);
  }
  await ctx.gen.start();
  if (want('baseline')) {
    results.disk = await measureDisk(ctx);
    const { child, ready } = await forkEntry<{ port: number }>('bare-server');
    services.push(ctx.teardown.defer('bare node:http server', () => killChild(child)));
    origins.bare = `http://127.0.0.1:${ready.port}`;
  }
  const clusterScenarios: BenchScenario[] = ['write', 'batch', 'read', 'query'];
  if (clusterScenarios.some(want)) {
    await runClusterScenarios(ctx, results, origins, services);
  } else if (origins.bare) {
    results.rows.push(
      ...(await runCells(ctx.gen, writeCells({ ...origins, logcluster: null }), ctx.cellPlan())),
    );
  }
  for (const stop of services) await stop();
  if (want('failover')) results.failover = await runFailover(ctx);
  if (want('cold-start')) {
    ctx.progress('cold start of the built CLI (start --detach) ...');
    results.coldStart = await runColdStart(ctx);
  }
  if (want('reopen')) {
    ctx.progress(
      `reopen: filling a single node with ${(ctx.options.reopenBytes / 2 ** 20).toFixed(0)} MiB ...`,
    );
    results.reopen = await runReopen(ctx);
  }
}

async function runClusterScenarios(
  ctx: BenchContext,
  results: Results,
  origins: { logcluster: string | null; bare: string | null; etcd: string | null },
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
  const leaderUrl = async () => (await cluster.leader(LEADER_WAIT_MS)).url;
  origins.logcluster = await leaderUrl();
  ctx.progress(`warming up (${ctx.options.warmupSec * 2} s of writes at 16 connections) ...`);
  await ctx.gen.run(
    writeCells(origins)
      .find((c) => c.target === 'logcluster' && c.connections === 16)!
      .job(ctx.options.warmupSec * 2),
  );
  const add = (rows: LoadRow[]) => results.rows.push(...rows);
  if (want('write')) add(await runCells(ctx.gen, writeCells(origins), ctx.cellPlan()));
  if (want('batch')) add(await runCells(ctx.gen, batchCells(await leaderUrl()), ctx.cellPlan()));
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
    add(await runCells(ctx.gen, readCells(origins, paths), ctx.cellPlan()));
  }
  // etcd and the bare server are idle from here on: stop them so they cost nothing.
  for (const stop of services.splice(0)) await stop();
  if (want('query')) {
    const query = await runQuery(ctx, cluster, await leaderUrl());
    add(query.rows);
    results.queryLoad = query.load;
  }
  await stopCluster();
}

async function measureDisk(ctx: BenchContext): Promise<DiskResult> {
  const samples = [];
  for (let run = 1; run <= ctx.options.runs; run++) {
    ctx.checkpoint();
    const r = await ctx.gen.run({
      kind: 'fsync',
      dir: ctx.root,
      recordBytes: MESSAGE_BYTES,
      durationSec: ctx.options.durationSec,
    });
    samples.push(r);
    ctx.progress(
      `disk run ${run}/${ctx.options.runs}: ${Math.round(r.perSec).toLocaleString('en-US')} write+fdatasync/s, p99 ${(r.latencyUs.p99 / 1000).toFixed(2)} ms`,
    );
  }
  return {
    fsyncPerSec: summarize(samples.map((s) => s.perSec)),
    p50Ms: summarize(samples.map((s) => s.latencyUs.p50 / 1000)),
    p99Ms: summarize(samples.map((s) => s.latencyUs.p99 / 1000)),
  };
}
