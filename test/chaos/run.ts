/**
 * One chaos run, start to verdict: a real cluster of node processes, the workload, the nemesis,
 * a recovery phase with every fault healed, the final logs of every node, the checker, and the
 * history written to a JSON file. Used by the CLI (cli.ts) and the tests.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterManager } from '../../lib/index.js';
import { PLANTED_BUGS_ENV } from '../../lib/node/options.js';
import { type CheckResult, check } from './checker.js';
import { type FinalEntry, readFinalLogs, waitConverged } from './final-state.js';
import { History } from './history.js';
import { type FaultGroup, faultSchedule, Nemesis } from './nemesis.js';
import type { ChaosOptions } from './options.js';
import { type ChaosSummary, summarize } from './summary.js';
import { startWorkload } from './workload.js';

/** Health poll period of the manager during a run: faults and leaders are noticed quickly. */
export const CHAOS_HEALTH_INTERVAL_MS = 100;

/** What a run produced. */
export interface ChaosResult {
  readonly seed: number;
  readonly schedule: readonly FaultGroup[];
  readonly summary: ChaosSummary;
  readonly check: CheckResult;
  readonly historyPath: string;
  /** The cluster's data directory when kept (node logs are in `logs/`), else null. */
  readonly dataDir: string | null;
}

function sleepUntil(history: History, atMs: number): Promise<void> {
  const waitMs = atMs - history.now();
  return waitMs > 0 ? new Promise((resolve) => setTimeout(resolve, waitMs)) : Promise.resolve();
}

/** What the phases of a run hand on to the verdict. */
interface Played {
  readonly history: History;
  readonly schedule: readonly FaultGroup[];
  readonly nodes: readonly { id: string; url: string }[];
  readonly internal: { op: string; detail: string }[];
  readonly lastHealMs: number;
  readonly workloadEndMs: number;
}

/** Runs one chaos test. Never throws for an anomaly: the verdict is in the result. */
export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const dataDir = await mkdtemp(join(tmpdir(), `lc-chaos-${options.seed}-`));
  const bugsBefore = process.env[PLANTED_BUGS_ENV];
  // Node processes (and restarts of them) inherit this process's environment.
  if (options.bugs.length > 0) process.env[PLANTED_BUGS_ENV] = options.bugs.join(',');
  else delete process.env[PLANTED_BUGS_ENV];
  const cluster = new ClusterManager({
    nodes: options.nodes,
    basePort: 0,
    dataDir,
    electionTimeoutMs: options.electionTimeoutMs,
    tickIntervalMs: options.tickIntervalMs,
    healthIntervalMs: CHAOS_HEALTH_INTERVAL_MS,
  });
  let keep = options.keepData;
  try {
    await cluster.start();
    const played = await play(cluster, options);
    const result = await judge(played, options, dataDir);
    keep ||= result.dataDir !== null;
    return result;
  } finally {
    await cluster.stop();
    if (bugsBefore === undefined) delete process.env[PLANTED_BUGS_ENV];
    else process.env[PLANTED_BUGS_ENV] = bugsBefore;
    if (!keep) await rm(dataDir, { recursive: true, force: true });
  }
}

/** The fault phase and the recovery phase, with the workload running through both. */
async function play(cluster: ClusterManager, options: ChaosOptions): Promise<Played> {
  const log = options.log ?? (() => {});
  const history = new History();
  const nodes = cluster.config.nodes.map((n) => ({ id: n.id, url: n.url }));
  const internal: { op: string; detail: string }[] = [];
  const schedule = faultSchedule(options);
  const nemesis = new Nemesis(cluster, history, schedule, log, options.seed);
  const workload = startWorkload({
    history,
    options,
    nodes,
    faulted: () => nemesis.faulted(),
    internal: (op, detail) => internal.push({ op, detail }),
  });
  const nemesisDone = nemesis.run().catch((error: unknown) => {
    internal.push({ op: 'nemesis', detail: String(error) });
  });
  await sleepUntil(history, options.durationMs - options.recoveryMs);
  nemesis.stop();
  await nemesisDone;
  await nemesis
    .healAll()
    .catch((error: unknown) => internal.push({ op: 'final heal', detail: String(error) }));
  const lastHealMs = history.now();
  log(`${(lastHealMs / 1000).toFixed(1).padStart(6)}s every fault healed; recovery phase`);
  await sleepUntil(history, options.durationMs);
  await workload.stop();
  return { history, schedule, nodes, internal, lastHealMs, workloadEndMs: history.now() };
}

/** The final phase: convergence, every node's log, the checker, the summary, the history file. */
async function judge(played: Played, options: ChaosOptions, dataDir: string): Promise<ChaosResult> {
  const { history, nodes, internal } = played;
  const convergence = await waitConverged(nodes);
  let finalLogs = new Map<string, FinalEntry[]>();
  try {
    finalLogs = await readFinalLogs(nodes);
  } catch (error) {
    internal.push({ op: 'final read', detail: String(error) });
  }
  const verdict = check({
    ops: history.ops,
    finalLogs,
    converged: convergence.converged,
    convergeDetail: `not converged within ${convergence.afterMs} ms: ${JSON.stringify(convergence.last)}`,
    internal,
  });
  const [firstLog = []] = finalLogs.values();
  const summary = summarize({
    seed: options.seed,
    durationMs: options.durationMs,
    nodes: options.nodes,
    ops: history.ops,
    faults: history.faults,
    lastHealMs: played.lastHealMs,
    workloadEndMs: played.workloadEndMs,
    convergeMs: convergence.afterMs,
    finalLogEntries: firstLog.length,
    check: verdict,
  });
  const kept = options.keepData || verdict.anomalies.length > 0 ? dataDir : null;
  const historyPath =
    options.historyPath ?? join(tmpdir(), `logcluster-chaos-${options.seed}-${Date.now()}.json`);
  await writeFile(
    historyPath,
    JSON.stringify({
      seed: options.seed,
      options: { ...options, log: undefined },
      dataDir: kept,
      schedule: played.schedule,
      faults: history.faults,
      summary,
      anomalies: verdict.anomalies,
      finalLogs: Object.fromEntries(
        [...finalLogs].map(([id, entries]) => [id, { entries: entries.length, digest: digest(entries) }]),
      ),
      finalLog: firstLog.map((e) => [e.index, e.id]),
      history: history.events(),
    }),
  );
  return {
    seed: options.seed,
    schedule: played.schedule,
    summary,
    check: verdict,
    historyPath,
    dataDir: kept,
  };
}

function digest(entries: readonly FinalEntry[]): string {
  const hash = createHash('sha256');
  for (const e of entries) hash.update(`${e.index}:${e.id}:${e.checksum}\n`);
  return hash.digest('hex').slice(0, 16);
}
