/** What a simulator run is asked to show and what it reports. */
import type { NetworkStats } from '../../lib/testing/sim-network.js';
import type { FaultCounts } from './faults.js';
import type { TraceMode } from './trace.js';
import type { WorkloadStats } from './workload.js';

/** How to observe a run. */
export interface RunOptions {
  traceMode?: TraceMode;
  /** Where full-mode trace lines go (default stdout). */
  traceSink?: (line: string) => void;
}

/** What a run did. */
export interface RunStats {
  ticks: number;
  faults: FaultCounts;
  network: NetworkStats;
  elections: number;
  workload: WorkloadStats;
  committed: number;
  compactions: number;
  /** Messages that reached a crashed node. */
  lostToCrash: number;
  /** Ticks the liveness phase needed (-1 when it was not reached). */
  livenessTicks: number;
}

/** The outcome of one run. */
export interface RunResult {
  seed: number;
  nodes: number;
  ok: boolean;
  failure?: { invariant: string; detail: string; tick: number; time: number; stack?: string };
  stats: RunStats;
  /** SHA-256 of the trace (hash and full modes). */
  traceDigest?: string;
  /** The last trace lines (for failure reports). */
  lastLines: string[];
}
