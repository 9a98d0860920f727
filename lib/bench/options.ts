/**
 * What a benchmark run measures and for how long: the options a caller gives (CLI flags), their
 * defaults for a full and a --quick run, and validation that names the option at fault.
 */
import { statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { LogClusterError } from '../errors.js';

/** Scenario names, in run order (`--only` takes a comma list of these). */
export const BENCH_SCENARIOS = [
  'baseline',
  'write',
  'batch',
  'read',
  'query',
  'failover',
  'cold-start',
  'reopen',
] as const;

/** One scenario name. */
export type BenchScenario = (typeof BENCH_SCENARIOS)[number];

/** Systems `--compare` knows how to run side by side. */
export const BENCH_COMPARE_TARGETS = ['etcd'] as const;

/** Message bytes of every single-entry write, as issue 7 states its figures. */
export const MESSAGE_BYTES = 200;
/** Entries per request of the batched-write scenario. */
export const BATCH_ENTRIES = 100;
/** Entries per request when loading data fast (the node's BATCH_ENTRIES_MAX). */
export const LOAD_BATCH_ENTRIES = 1_000;
/** Concurrent connections of the single-entry write scenario (issue 7). */
export const WRITE_CONNECTIONS = [1, 16, 64, 256] as const;
/** Concurrent connections of the batched-write and read scenarios. */
export const BATCH_CONNECTIONS = [16, 64] as const;
/** Concurrent connections of the read scenarios. */
export const READ_CONNECTIONS = [16, 64] as const;
/** Longest measured cell a caller may ask for: every loop of the harness is bounded in time. */
export const DURATION_SEC_MAX = 300;
/** Most repetitions a caller may ask for. */
export const RUNS_MAX = 50;
/** tmpfs's f_type: fdatasync there is free, and every durable figure would be meaningless. */
const TMPFS_MAGIC = 0x01021994;

/** Options of runBenchmark (all optional). */
export interface BenchOptions {
  /** Short run (whole run under ~3 min): 1 s cells, 100,000 query entries, 100 MB reopen, 5 failovers. */
  readonly quick?: boolean;
  /** Run only these scenarios (default: all). */
  readonly only?: readonly string[];
  /** Seconds per measured cell (default 5, quick 1). */
  readonly durationSec?: number;
  /** Repetitions of every measurement; medians and spreads are reported (default 3). */
  readonly runs?: number;
  /** Systems to run side by side: 'etcd'. */
  readonly compare?: readonly string[];
  /** The etcd executable (default: `etcd` on PATH). */
  readonly etcdBin?: string;
  /** Run the logcluster node processes with --cpu-prof, writing profiles into this directory. */
  readonly cpuProfDir?: string;
  /** Where data directories go (default os.tmpdir(); must be a real disk, not tmpfs). */
  readonly dir?: string;
  /** The built CLI for the cold-start scenario (default: dist/cli/index.js of this package). */
  readonly cliPath?: string;
  /** Failover rounds (default 20, quick 5). */
  readonly failoverRounds?: number;
}

/** Options with every default applied. */
export interface ResolvedBenchOptions {
  readonly quick: boolean;
  readonly scenarios: readonly BenchScenario[];
  readonly durationSec: number;
  readonly warmupSec: number;
  readonly runs: number;
  readonly compareEtcd: boolean;
  readonly etcdBin: string | null;
  readonly cpuProfDir: string | null;
  readonly dir: string;
  readonly cliPath: string | null;
  readonly queryEntries: number;
  readonly reopenBytes: number;
  readonly failoverRounds: number;
}

function invalid(option: string, message: string): LogClusterError {
  return new LogClusterError('INVALID_OPTION', `option ${option}: ${message}`, { option });
}

function numberIn(option: string, value: number | undefined, min: number, max: number, fallback: number) {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < min || value > max) {
    throw invalid(option, `must be a number from ${min} to ${max} (got ${value})`);
  }
  return value;
}

/** Applies defaults and validates; throws INVALID_OPTION naming the option. */
export function resolveBenchOptions(options: BenchOptions = {}): ResolvedBenchOptions {
  const quick = options.quick === true;
  const only = (options.only ?? [])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const name of only) {
    if (!(BENCH_SCENARIOS as readonly string[]).includes(name)) {
      throw invalid('only', `unknown scenario "${name}" (known: ${BENCH_SCENARIOS.join(', ')})`);
    }
  }
  const compare = (options.compare ?? []).flatMap((s) => s.split(',')).filter((s) => s !== '');
  for (const name of compare) {
    if (!(BENCH_COMPARE_TARGETS as readonly string[]).includes(name)) {
      throw invalid('compare', `can compare with ${BENCH_COMPARE_TARGETS.join(', ')} only (got "${name}")`);
    }
  }
  const durationSec = numberIn('duration', options.durationSec, 0.2, DURATION_SEC_MAX, quick ? 1 : 5);
  const runs = Math.round(numberIn('runs', options.runs, 1, RUNS_MAX, 3));
  const dir = resolve(options.dir ?? tmpdir());
  if (statfsSync(dir).type === TMPFS_MAGIC) {
    throw invalid(
      'dir',
      `${dir} is a RAM disk (tmpfs), where fdatasync costs nothing; pass --dir on a real disk`,
    );
  }
  return {
    quick,
    scenarios: only.length === 0 ? [...BENCH_SCENARIOS] : BENCH_SCENARIOS.filter((s) => only.includes(s)),
    durationSec,
    warmupSec: Math.min(durationSec, quick ? 0.5 : 1),
    runs,
    compareEtcd: compare.includes('etcd'),
    etcdBin: options.etcdBin ?? null,
    cpuProfDir: options.cpuProfDir ? resolve(options.cpuProfDir) : null,
    dir,
    cliPath: options.cliPath ? resolve(options.cliPath) : null,
    queryEntries: quick ? 100_000 : 1_000_000,
    reopenBytes: quick ? 100 * 2 ** 20 : 2 ** 30,
    failoverRounds: Math.round(numberIn('failover-rounds', options.failoverRounds, 1, 100, quick ? 5 : 20)),
  };
}
