/**
 * The shape of a benchmark report: what runBenchmark returns and the CLI writes as JSON
 * (bench/results/<timestamp>.json) for tracking over time.
 */
import type { ResolvedBenchOptions } from './options.js';
import type { Summary } from './stats.js';

/** Which system a load row measured. */
export type BenchTarget = 'logcluster' | 'bare-http' | 'etcd';

/** What a load row measured. */
export type LoadScenario = 'write' | 'batch' | 'read-linearizable' | 'read-local' | 'query';

/** One closed-loop HTTP measurement, repeated `runs` times. */
export interface LoadRow {
  readonly scenario: LoadScenario;
  readonly target: BenchTarget;
  readonly connections: number;
  /** 'entries/s' for batched writes (requests x entries per request), else 'req/s'. */
  readonly unit: 'req/s' | 'entries/s';
  readonly rate: Summary;
  readonly p50Ms: Summary;
  readonly p99Ms: Summary;
  readonly p999Ms: Summary;
  /** Failed requests over all runs (non-2xx, socket errors, timeouts). */
  readonly errors: number;
  /** HTTP status -> count over all runs. */
  readonly statuses: Readonly<Record<string, number>>;
  /**
   * CPU µs (user + system, /proc/<pid>/stat) the system's server processes spent per request
   * (answered or failed) during the measured runs; null without /proc or a known pid; absent in
   * reports older than this field.
   */
  readonly cpuUsPerRequest?: Summary | null;
  /** cpuUsPerRequest divided by the entries each request carries. */
  readonly cpuUsPerEntry?: Summary | null;
}

/** The machine the run used. */
export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
  readonly kernel: string;
  /** File system type and device of the data directory (from /proc/mounts). */
  readonly disk: string;
  readonly loadAverageStart: readonly number[];
  readonly loadAverageEnd: readonly number[];
}

/** The disk's rate of one 200-byte write + fdatasync per operation. */
export interface DiskResult {
  readonly fsyncPerSec: Summary;
  readonly p50Ms: Summary;
  readonly p99Ms: Summary;
}

/** Loading the entries the query runs over. */
export interface QueryLoadResult {
  readonly storedEntries: number;
  readonly loadedEntries: number;
  readonly entriesPerSec: number;
  readonly mbPerSec: number;
  /** Entries the measured query returned (a full page is 100). */
  readonly pageEntries: number;
}

/** Leader kills while a writer runs. */
export interface FailoverResult {
  readonly rounds: number;
  /** Per round: ms from SIGKILL to the first acknowledged write sent after it (null: none in time). */
  readonly recoveryMs: readonly (number | null)[];
  readonly p50Ms: number;
  readonly maxMs: number;
  /** Per round: ms from SIGKILL to a survivor answering /health as leader of a later term (null: not seen). */
  readonly electedMs?: readonly (number | null)[];
  /** Median of electedMs. */
  readonly electedP50Ms?: number;
  /** Entries in the log when the rounds ran (a restarted node replays them). */
  readonly logEntries: number;
}

/** `logcluster start --detach` of the built CLI on an empty data directory. */
export interface ColdStartResult {
  readonly ms: Summary;
}

/** Reopening a node with a big log. */
export interface ReopenResult {
  readonly bytes: number;
  readonly entries: number;
  readonly loadEntriesPerSec: number;
  readonly loadMBPerSec: number;
  /** Process start to an elected leader (single-node cluster: itself). */
  readonly toLeaderMs: Summary;
  /** Process start to every entry applied (indexes rebuilt: queries see everything). */
  readonly toAppliedMs: Summary;
}

/** A ratio the issue cares about (logcluster over a baseline or over etcd). */
export interface Ratio {
  readonly name: string;
  readonly value: number;
}

/** One goal of issue 7 and whether this run meets it (null: not measured in this run). */
export interface TargetCheck {
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean | null;
}

/** Everything one run measured. */
export interface BenchReport {
  readonly version: 1;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly machine: MachineInfo;
  /** The git commit measured (see sourceRevision), null outside a git checkout. */
  readonly source: string | null;
  readonly options: ResolvedBenchOptions;
  readonly rows: readonly LoadRow[];
  /** The etcd compared with (its `--version`), null without --compare etcd. */
  readonly etcdVersion: string | null;
  readonly disk: DiskResult | null;
  readonly queryLoad: QueryLoadResult | null;
  readonly failover: FailoverResult | null;
  readonly coldStart: ColdStartResult | null;
  readonly reopen: ReopenResult | null;
  readonly ratios: readonly Ratio[];
  readonly targets: readonly TargetCheck[];
  /** Scenarios skipped and why, problems seen during the run. */
  readonly notes: readonly string[];
}
