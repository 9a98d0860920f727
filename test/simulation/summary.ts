/** Aggregates many runs into the table `npm run sim -- --seeds N` prints. */
import { FAULT_KINDS, type FaultCounts, zeroFaults } from './faults.js';
import type { RunResult } from './run-result.js';

/** Failures listed in full in a summary; the rest are counted. */
export const SUMMARY_FAILURES_LISTED = 20;

/** Counters that are consequences worth seeing (coverage), not injected faults. */
const OBSERVED_KINDS: ReadonlySet<string> = new Set(['snapshot-sent', 'log-truncation', 'lost-with-crash']);

/** Totals over many runs. */
export interface Summary {
  runs: number;
  failed: number;
  faults: FaultCounts;
  elections: number;
  proposed: number;
  acknowledged: number;
  committed: number;
  compactions: number;
  messages: number;
  livenessTicksMax: number;
  /** The seed that needed livenessTicksMax. */
  livenessSlowestSeed: number;
  failures: Array<{ seed: number; invariant: string; detail: string }>;
  elapsedMs: number;
}

/** An empty summary. */
export function emptySummary(): Summary {
  return {
    runs: 0,
    failed: 0,
    faults: zeroFaults(),
    elections: 0,
    proposed: 0,
    acknowledged: 0,
    committed: 0,
    compactions: 0,
    messages: 0,
    livenessTicksMax: 0,
    livenessSlowestSeed: -1,
    failures: [],
    elapsedMs: 0,
  };
}

/** Adds one run to `summary`. */
export function addRun(summary: Summary, result: RunResult): void {
  const s = result.stats;
  summary.runs++;
  for (const kind of FAULT_KINDS) summary.faults[kind] += s.faults[kind];
  summary.elections += s.elections;
  summary.proposed += s.workload.proposed;
  summary.acknowledged += s.workload.acknowledged;
  summary.committed += s.committed;
  summary.compactions += s.compactions;
  summary.messages += s.network.sent;
  if (s.livenessTicks > summary.livenessTicksMax) {
    summary.livenessTicksMax = s.livenessTicks;
    summary.livenessSlowestSeed = result.seed;
  }
  if (!result.ok && result.failure) {
    summary.failed++;
    summary.failures.push({
      seed: result.seed,
      invariant: result.failure.invariant,
      detail: result.failure.detail,
    });
  }
}

/** Merges `other` into `into` (for parallel workers). */
export function mergeSummary(into: Summary, other: Summary): void {
  into.runs += other.runs;
  into.failed += other.failed;
  for (const kind of FAULT_KINDS) into.faults[kind] += other.faults[kind];
  into.elections += other.elections;
  into.proposed += other.proposed;
  into.acknowledged += other.acknowledged;
  into.committed += other.committed;
  into.compactions += other.compactions;
  into.messages += other.messages;
  if (other.livenessTicksMax > into.livenessTicksMax) {
    into.livenessTicksMax = other.livenessTicksMax;
    into.livenessSlowestSeed = other.livenessSlowestSeed;
  }
  into.failures.push(...other.failures);
}

/** The summary as an aligned text table. */
export function formatSummary(summary: Summary, replay: (seed: number) => string): string {
  const rows: Array<[string, string]> = [
    ['runs', `${summary.runs}`],
    ['passed', `${summary.runs - summary.failed}`],
    ['failed', `${summary.failed}`],
    [
      'time',
      `${(summary.elapsedMs / 1000).toFixed(1)} s (${(summary.elapsedMs / Math.max(1, summary.runs)).toFixed(1)} ms/run)`,
    ],
    ['elections (leaders)', `${summary.elections}`],
    ['writes proposed', `${summary.proposed}`],
    ['writes acknowledged', `${summary.acknowledged}`],
    ['entries committed', `${summary.committed}`],
    ['compactions', `${summary.compactions}`],
    ['messages sent', `${summary.messages}`],
    ['liveness ticks (max)', `${summary.livenessTicksMax} (seed ${summary.livenessSlowestSeed})`],
  ];
  for (const kind of FAULT_KINDS) {
    rows.push([`${OBSERVED_KINDS.has(kind) ? 'seen' : 'fault'}: ${kind}`, `${summary.faults[kind]}`]);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${k.padEnd(width)}  ${v.padStart(12)}`);
  if (summary.failures.length > 0) {
    lines.push('', 'failures:');
    const sorted = [...summary.failures].sort((a, b) => a.seed - b.seed);
    for (const f of sorted.slice(0, SUMMARY_FAILURES_LISTED)) {
      lines.push(`  seed ${f.seed}: ${f.invariant} -- ${f.detail}`);
      lines.push(`    replay: ${replay(f.seed)}`);
    }
    if (sorted.length > SUMMARY_FAILURES_LISTED) {
      lines.push(`  ... and ${sorted.length - SUMMARY_FAILURES_LISTED} more`);
    }
  }
  return lines.join('\n');
}
