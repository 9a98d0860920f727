/**
 * Named run configurations. `default` is the general fault mix the 10,000-seed runs use; the
 * others aim one fault mix at one planted bug so the teeth tests catch it in few seeds.
 */
import { makeConfig, type SimBugs, type SimConfig, TICK_UNITS } from './config.js';

/** Scenario name -> config overrides (nodes and bugs are set separately). */
export const SCENARIOS: Record<string, Partial<SimConfig>> = {
  default: {},
  /** Leaders come and go fast, logs diverge: elections between unequal logs (voteWithoutLogCheck). */
  'stale-votes': {
    crashProbabilityMax: 0.08,
    crashFreeShare: 0,
    partitionProbabilityMax: 0.1,
    partitionFreeShare: 0,
    partitionTicksMax: 30,
    restartTicksMax: 20,
    proposeProbability: 0.8,
  },
  /**
   * Figure 8 of the Raft paper (commitPreviousTerm): new leaders are often cut off at once (so
   * their no-op stays on a minority: logs diverge across terms), leaders often crash right after
   * their commit index moves, losing what they had in flight, and appends carry one entry each,
   * so an old-term entry can reach a majority before the new leader's no-op does.
   */
  figure8: {
    maxAppendBytes: 1,
    leaderCrashProbability: 0.7,
    leaderCrashTicksMax: 3,
    leaderIsolateProbability: 0.6,
    commitCrashProbability: 0.8,
    crashLosesSendsShare: 1,
    crashProbabilityMax: 0.1,
    crashFreeShare: 0,
    crashMidPersistShare: 0.2,
    restartTicksMin: 1,
    restartTicksMax: 8,
    partitionProbabilityMax: 0.1,
    partitionFreeShare: 0,
    partitionTicksMax: 25,
    proposeProbability: 1,
    dropProbabilityMax: 0.4,
  },
  /** Slow disks and frequent sudden crashes: the window between sending and persisting is wide. */
  'slow-disk-crashes': {
    diskLatencyUnitsMax: 3 * TICK_UNITS,
    diskLatencyZeroShare: 0,
    crashProbabilityMax: 0.2,
    crashFreeShare: 0,
    crashMidPersistShare: 0,
    leaderIsolateProbability: 0.3,
    crashWritingShare: 0.8,
    leaderCrashProbability: 0.3,
    commitCrashProbability: 0.05,
    restartTicksMin: 1,
    restartTicksMax: 10,
    partitionProbabilityMax: 0.05,
    proposeProbability: 0.8,
  },
};

/** Names accepted by --bug. `leaderCountsUnpersisted` cannot bite with this driver: the commit it
 * computes too early can only leave in the next Ready, after the persist (docs/simulation.md). */
export const BUG_NAMES = [
  'voteWithoutLogCheck',
  'commitPreviousTerm',
  'ackBeforeDurable',
  'appendWithoutPrevCheck',
  'leaderCountsUnpersisted',
] as const;

/** One planted bug. */
export type BugName = (typeof BUG_NAMES)[number];

/** The config of `scenario` for `nodes` nodes with `bugs` planted. */
export function scenarioConfig(scenario: string, nodes: number, bugs: readonly BugName[] = []): SimConfig {
  const overrides = SCENARIOS[scenario];
  if (overrides === undefined)
    throw new Error(`unknown scenario ${scenario} (known: ${Object.keys(SCENARIOS)})`);
  const planted: SimBugs = Object.fromEntries(bugs.map((bug) => [bug, true]));
  return makeConfig({ ...overrides, nodes, bugs: planted });
}
