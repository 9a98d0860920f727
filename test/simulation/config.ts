/**
 * What one simulator run does: cluster size, phase lengths, fault rates, planted bugs. Rates are
 * per Raft tick. A run also draws its own intensities from its seed (swarm testing, after
 * FoundationDB and TigerBeetle's VOPR): some seeds crash a lot and never partition, others the
 * reverse, so 10,000 seeds explore more corners than 10,000 copies of one mix would.
 */

import type { PlantedBugs } from '../../lib/consensus/index.js';

/** Clock units per Raft tick: network latencies are drawn in units, so messages land between ticks. */
export const TICK_UNITS = 10;

/** Ticks a healed majority gets to elect a leader and apply every acknowledged write. Elections
 * take 10-20 ticks each (ELECTION_TICKS randomized), PreVote adds a round, split votes repeat;
 * catching up a few thousand entries takes a handful of heartbeats: 300 leaves a wide margin. */
export const LIVENESS_TICKS_MAX = 300;

/** Planted bugs: the core's (RaftOptions.bugs) plus `ackBeforeDurable`, which lives in the driver. */
export interface SimBugs extends PlantedBugs {
  /** Driver: send a Ready's messages before persisting it (acks before the crash-safe point). */
  ackBeforeDurable?: boolean;
}

/** One run's parameters. */
export interface SimConfig {
  nodes: number;
  /** Length of the fault phase. */
  faultTicks: number;
  /** Bound of the liveness phase. */
  livenessTicksMax: number;
  electionTicks: number;
  heartbeatTicks: number;
  /** Chance per tick that a client proposes a batch. */
  proposeProbability: number;
  proposeBatchMax: number;
  /** Largest crash chance per tick (each run draws its own in [0, max]). */
  crashProbabilityMax: number;
  /** Chance that a newly elected leader is crashed within leaderCrashTicksMax ticks (leader churn). */
  leaderCrashProbability: number;
  leaderCrashTicksMax: number;
  /** Largest chance per tick of a disk error (ENOSPC or EIO on a write or a sync) on one node. */
  diskErrorProbabilityMax: number;
  /** Largest chance per tick that the leader is asked for a membership change (remove, demote,
   * add as learner, promote); each run draws its own in [0, max], half the runs none. */
  reconfigureProbabilityMax: number;
  /** Fewest voters a change may leave (a smaller cluster cannot tolerate any failure). */
  votersMin: number;
  /** Chance per tick that the leader is asked to transfer leadership to another voter. */
  transferProbability: number;
  /** Chance that a newly elected leader is cut off at once (before its first appends land). */
  leaderIsolateProbability: number;
  /** Chance that a leader is crashed right after its commit index advances (the window before
   * followers learn the new commit or receive the next entries). */
  commitCrashProbability: number;
  /** Of crashes, the share that also loses the messages the node had in flight (power loss). */
  crashLosesSendsShare: number;
  /** Of random crashes, the share aimed at a node whose write is in flight (power loss during fsync). */
  crashWritingShare: number;
  /** Of crashes, the share that strikes inside a persist (after a random number of disk ops). */
  crashMidPersistShare: number;
  /** Of crashes, the share that tears the last unsynced write. */
  tearShare: number;
  restartTicksMin: number;
  restartTicksMax: number;
  /** Largest partition chance per tick (each run draws its own). */
  partitionProbabilityMax: number;
  partitionTicksMin: number;
  partitionTicksMax: number;
  /** Chance per tick that the network weather changes. */
  weatherChangeProbability: number;
  dropProbabilityMax: number;
  duplicateProbabilityMax: number;
  delayProbabilityMax: number;
  delayMaxUnits: number;
  latencyMaxUnits: number;
  /** Compaction: a node compacts once this many entries are applied past its snapshot (0: never).
   * Each run draws a threshold in [compactEveryMin, 4 * compactEveryMin] or disables it. */
  compactEveryMin: number;
  /** Largest time one persist takes, in clock units; each run draws its own bound in [0, max]
   * (0: persists complete at once). The core keeps stepping messages while a persist waits. */
  diskLatencyUnitsMax: number;
  /** Share of runs whose persists complete at once (no disk latency). */
  diskLatencyZeroShare: number;
  /** Share of runs that never crash, and share that never partition (swarm testing). */
  crashFreeShare: number;
  partitionFreeShare: number;
  /** Of crashes, the share whose peers are told the node is unreachable (Raft.reportUnreachable),
   * as a killed process's refused connections tell them; the rest are silent (a host lost). */
  unreachableReportShare: number;
  /** Of starts, the share whose node and up peers are told of each other (Raft.reportReachable). */
  reachableReportShare: number;
  /** Chance per tick that a follower is wrongly told its live leader is unreachable (a flaky link). */
  falseReportProbability: number;
  /** Send a leader's appends and heartbeats before its own persist, as the real driver does. */
  earlySend: boolean;
  /** RaftOptions.maxAppendBytes (undefined: drawn per run, see drawFlowLimits). 1: one entry per append. */
  maxAppendBytes?: number;
  /** RaftOptions.maxInflightAppends (undefined: drawn per run). */
  maxInflightAppends?: number;
  bugs: SimBugs;
}

/** The default mix: every fault kind, at rates that still let the cluster make progress. */
export const DEFAULT_CONFIG: SimConfig = {
  nodes: 3,
  faultTicks: 400,
  livenessTicksMax: LIVENESS_TICKS_MAX,
  electionTicks: 10,
  heartbeatTicks: 1,
  proposeProbability: 0.4,
  proposeBatchMax: 3,
  crashProbabilityMax: 0.02,
  leaderCrashProbability: 0.05,
  leaderCrashTicksMax: 5,
  crashWritingShare: 0.3,
  commitCrashProbability: 0.002,
  leaderIsolateProbability: 0.02,
  diskErrorProbabilityMax: 0.005,
  transferProbability: 0.01,
  reconfigureProbabilityMax: 0.02,
  votersMin: 2,
  crashLosesSendsShare: 0.5,
  crashMidPersistShare: 0.5,
  tearShare: 0.5,
  restartTicksMin: 2,
  restartTicksMax: 60,
  partitionProbabilityMax: 0.03,
  partitionTicksMin: 5,
  partitionTicksMax: 80,
  weatherChangeProbability: 0.03,
  dropProbabilityMax: 0.2,
  duplicateProbabilityMax: 0.1,
  delayProbabilityMax: 0.2,
  delayMaxUnits: 10 * TICK_UNITS,
  latencyMaxUnits: TICK_UNITS,
  compactEveryMin: 20,
  diskLatencyUnitsMax: TICK_UNITS,
  diskLatencyZeroShare: 0.4,
  earlySend: true,
  unreachableReportShare: 0.7,
  reachableReportShare: 0.7,
  falseReportProbability: 0.01,
  crashFreeShare: 0.2,
  partitionFreeShare: 0.2,
  bugs: {},
};

/** Builds a config from the defaults. */
export function makeConfig(overrides: Partial<SimConfig> = {}): SimConfig {
  return { ...DEFAULT_CONFIG, ...overrides, bugs: { ...DEFAULT_CONFIG.bugs, ...overrides.bugs } };
}

/** Per-run flow-control limits when the config leaves them open: mostly the core's defaults, some
 * runs with one entry (or 64 bytes) per append, others with a pipelining window of 1 or 4. */
export function drawFlowLimits(
  prng: { nextFloat(): number },
  config: SimConfig,
): Pick<SimConfig, 'maxAppendBytes' | 'maxInflightAppends'> {
  const bytes = prng.nextFloat();
  const inflight = prng.nextFloat();
  const maxAppendBytes = config.maxAppendBytes ?? (bytes < 0.15 ? 1 : bytes < 0.3 ? 64 : undefined);
  // Not both tiny at once: one entry per round trip would make catching up a laggard take longer
  // than any sensible liveness bound, which is a throughput limit, not a bug.
  const small =
    maxAppendBytes === undefined ? (inflight < 0.2 ? 1 : inflight < 0.4 ? 4 : undefined) : undefined;
  return { maxAppendBytes, maxInflightAppends: config.maxInflightAppends ?? small };
}
