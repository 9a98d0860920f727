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
import { type CellPlan, runCells } from './cells.js';
import { forkEntry, killChild } from './children.js';
import { LEADER_WAIT_MS, runClusterScenarios } from './cluster-scenarios.js';
import { runColdStart } from './cold-start.js';
import type { BenchContext } from './context.js';
import { EtcdCluster, etcdVersion, findEtcd } from './etcd.js';
import { runFailover } from './failover.js';
import { type MutableOrigins, writeCells } from './load-cells.js';
import { LoadGenerator } from './load-generator.js';
import { machineInfo, sourceRevision } from './machine.js';
import { type BenchOptions, type BenchScenario, MESSAGE_BYTES, resolveBenchOptions } from './options.js';
import { runReopen } from './reopen.js';
import type { BenchReport, DiskResult, LoadRow } from './report.js';
import { summarize } from './stats.js';
import { checkTargets, ratiosOf } from './targets.js';
import { Teardown } from './teardown.js';

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
  const source = sourceRevision();
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
    source,
    machine: { ...machine, loadAverageEnd: loadavg().map((n) => Math.round(n * 100) / 100) },
    options,
    ...results,
    etcdVersion: etcdBin ? etcdVersion(etcdBin) : null,
    ratios: ratiosOf(results.rows),
    targets: [] as BenchReport['targets'],
    notes,
  };
  return { ...report, targets: checkTargets(report) };
}

async function runScenarios(ctx: BenchContext, results: Results, etcdBin: string | null): Promise<void> {
  const want = (s: BenchScenario) => ctx.options.scenarios.includes(s);
  const origins: MutableOrigins = { logcluster: null, bare: null, etcd: null, pids: {} };
  const services: (() => Promise<void>)[] = [];
  if (etcdBin && (want('write') || want('read'))) {
    ctx.progress(`starting a 3-member etcd (${etcdBin}) ...`);
    const etcd = await EtcdCluster.start(etcdBin, join(ctx.root, 'etcd'));
    services.push(ctx.teardown.defer('etcd', () => etcd.stop()));
    origins.etcd = await etcd.leaderUrl(LEADER_WAIT_MS);
    origins.pids.etcd = () => etcd.pids();
  }
  await ctx.gen.start();
  if (want('baseline')) {
    results.disk = await measureDisk(ctx);
    const { child, ready } = await forkEntry<{ port: number }>('bare-server');
    services.push(ctx.teardown.defer('bare node:http server', () => killChild(child)));
    origins.bare = `http://127.0.0.1:${ready.port}`;
    origins.pids['bare-http'] = () =>
      child.exitCode === null && child.pid !== undefined ? [child.pid] : null;
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
