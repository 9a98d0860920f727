/**
 * What one chaos run does: cluster size, workload bounds, which faults the nemesis may inject,
 * and the timing of its phases. Every bound is a named constant: a run never grows without limit.
 */
import type { ReadConsistency } from '../../lib/index.js';

/** The fault kinds the nemesis knows. `isolate-in`/`-out` cut one direction of peer traffic. */
export const FAULT_KINDS = ['kill', 'pause', 'isolate', 'isolate-in', 'isolate-out'] as const;
/** One fault kind. */
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Which node a fault prefers: the current leader, a follower, or any node (leader-weighted). */
export type TargetRule = 'leader' | 'follower' | 'any';

/** Planted node bugs the harness can switch on in every node process (lib/node/options.ts). */
export const BUG_NAMES = ['ackOnPropose', 'staleReads'] as const;
/** One planted bug. */
export type BugName = (typeof BUG_NAMES)[number];

/** Every read consistency level, each exercised by the readers. */
export const CONSISTENCIES: readonly ReadConsistency[] = ['linearizable', 'leader', 'local'];

/** Most nodes a run may start: each is a process on a 2-core machine. */
export const NODES_MAX = 7;
/** Most clients of one kind: bounds sockets and CPU the harness itself uses. */
export const CLIENTS_MAX = 32;
/** Highest per-client operation rate: above it the harness, not the cluster, is the bottleneck. */
export const RATE_MAX = 200;
/** Longest run accepted: a longer soak belongs in repeated runs with fresh seeds. */
export const DURATION_MS_MAX = 60 * 60_000;
/** Shortest run: enough for one election, one fault and its repair. */
export const DURATION_MS_MIN = 3_000;

/** A chaos run's settings (all given; see defaultChaosOptions). */
export interface ChaosOptions {
  readonly seed: number;
  /** Length of the workload (fault phase + recovery phase). */
  readonly durationMs: number;
  readonly nodes: number;
  readonly writers: number;
  readonly readers: number;
  /** Operations per second per client (a ceiling: a client waits for each answer). */
  readonly rate: number;
  /** Share of writes sent as a batch of 2-4 entries (one consensus round). */
  readonly batchShare: number;
  /**
   * Share of writes tried once, never retried: their definite failures and unknown outcomes are
   * what the `failed-write-stored` and `read-failed-write` rules judge.
   */
  readonly oneShotShare: number;
  readonly faults: readonly FaultKind[];
  readonly target: TargetRule;
  /** Quiet time between two fault groups, uniform in [min, max]. */
  readonly faultGapMs: readonly [number, number];
  /** How long one fault group lasts before it is healed, uniform in [min, max]. */
  readonly faultLengthMs: readonly [number, number];
  /** No fault starts before this (the workload warms up first). */
  readonly warmupMs: number;
  /** The last part of the workload runs with every fault healed: measures recovery. */
  readonly recoveryMs: number;
  /** Consistency levels the readers use, picked uniformly. */
  readonly consistencies: readonly ReadConsistency[];
  /** Probability that a read goes to a node under a fault (where staleness would show). */
  readonly readFaultedShare: number;
  readonly electionTimeoutMs: number;
  readonly tickIntervalMs: number;
  readonly bugs: readonly BugName[];
  /** Write the history JSON here (default: a file in the temp dir). */
  readonly historyPath: string | null;
  /** Keep the cluster's data directory after the run (default: kept only on an anomaly). */
  readonly keepData: boolean;
  /** Progress lines (fault starts and ends) go here; null: silent. */
  readonly log: ((line: string) => void) | null;
}

/** The default run: 3 nodes, 4 writers and 2 readers at 20 ops/s each, every fault kind. */
export function defaultChaosOptions(seed: number, overrides: Partial<ChaosOptions> = {}): ChaosOptions {
  const options: ChaosOptions = {
    seed,
    durationMs: 60_000,
    nodes: 3,
    writers: 4,
    readers: 2,
    rate: 20,
    batchShare: 0.2,
    oneShotShare: 0.2,
    faults: FAULT_KINDS,
    target: 'any',
    faultGapMs: [500, 2_500],
    faultLengthMs: [1_000, 5_000],
    warmupMs: 1_000,
    recoveryMs: 4_000,
    consistencies: CONSISTENCIES,
    readFaultedShare: 0.4,
    electionTimeoutMs: 300,
    tickIntervalMs: 25,
    bugs: [],
    historyPath: null,
    keepData: false,
    log: null,
    ...overrides,
  };
  validate(options);
  return options;
}

function validate(o: ChaosOptions): void {
  const bad = (what: string): never => {
    throw new Error(`chaos: ${what}`);
  };
  if (!Number.isSafeInteger(o.seed) || o.seed < 0 || o.seed >= 2 ** 32) bad('seed must be in [0, 2^32)');
  if (o.durationMs < DURATION_MS_MIN || o.durationMs > DURATION_MS_MAX)
    bad(`duration must be ${DURATION_MS_MIN}..${DURATION_MS_MAX} ms`);
  if (!Number.isInteger(o.nodes) || o.nodes < 1 || o.nodes > NODES_MAX) bad(`nodes must be 1..${NODES_MAX}`);
  for (const [name, n] of [
    ['writers', o.writers],
    ['readers', o.readers],
  ] as const) {
    if (!Number.isInteger(n) || n < 0 || n > CLIENTS_MAX) bad(`${name} must be 0..${CLIENTS_MAX}`);
  }
  if (!(o.rate > 0 && o.rate <= RATE_MAX)) bad(`rate must be in (0, ${RATE_MAX}]`);
  for (const kind of o.faults) if (!FAULT_KINDS.includes(kind)) bad(`unknown fault ${kind}`);
  for (const bug of o.bugs) if (!BUG_NAMES.includes(bug)) bad(`unknown bug ${bug}`);
  if (o.recoveryMs + o.warmupMs >= o.durationMs) bad('warmup + recovery must be shorter than the duration');
  if (o.consistencies.length === 0) bad('at least one read consistency is needed');
}

/** Parses `300s`, `5m`, `1500ms`, `1h` or a bare number of seconds into milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new Error(`chaos: bad duration ${JSON.stringify(text)} (try 60s, 5m, 1500ms)`);
  const scale = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match[2] ?? 's'] ?? 1_000;
  return Math.round(Number(match[1]) * scale);
}
