/**
 * Runs closed-loop HTTP cells (one target at one concurrency) in interleaved rounds: round r
 * measures every cell once, so a slow drift of a shared machine hits every target alike and
 * the ratios stay fair. The first round warms each cell up (connections open, JIT warm) first.
 */
import type { LoadGenerator } from './load-generator.js';
import type { HttpLoadJob, LoadResult } from './load-protocol.js';
import type { BenchTarget, LoadRow, LoadScenario } from './report.js';
import { summarize } from './stats.js';

/** A request unanswered this long counts as failed (a healthy loopback cluster answers in ms). */
export const REQUEST_TIMEOUT_SEC = 10;

/** One measured combination. */
export interface Cell {
  readonly scenario: LoadScenario;
  readonly target: BenchTarget;
  readonly connections: number;
  /** Entries each request carries (the rate is reported in entries/s when > 1). */
  readonly entriesPerRequest: number;
  /** The load for one run of `durationSec`. */
  readonly job: (durationSec: number) => HttpLoadJob;
}

/** How cells run. */
export interface CellPlan {
  readonly runs: number;
  readonly durationSec: number;
  readonly warmupSec: number;
  readonly progress: (line: string) => void;
  /** Throws when the run was interrupted (checked between measurements). */
  readonly checkpoint: () => void;
}

/** Measures every cell `runs` times, interleaved; one row per cell, in the order given. */
export async function runCells(
  gen: LoadGenerator,
  cells: readonly Cell[],
  plan: CellPlan,
): Promise<LoadRow[]> {
  const results = cells.map((): LoadResult[] => []);
  for (let run = 0; run < plan.runs; run++) {
    for (const [i, cell] of cells.entries()) {
      plan.checkpoint();
      if (run === 0 && plan.warmupSec > 0) await gen.run(cell.job(plan.warmupSec));
      plan.checkpoint();
      const result = await gen.run(cell.job(plan.durationSec));
      results[i].push(result);
      plan.progress(`${label(cell)} run ${run + 1}/${plan.runs}: ${describe(cell, result)}`);
    }
  }
  return cells.map((cell, i) => toRow(cell, results[i]));
}

/** A cell's name in progress lines. */
export function label(cell: Cell): string {
  return `${cell.scenario} ${cell.target} c=${cell.connections}`;
}

function describe(cell: Cell, r: LoadResult): string {
  const rate = Math.round(r.perSec * cell.entriesPerRequest).toLocaleString('en-US');
  const unit = cell.entriesPerRequest > 1 ? 'entries/s' : 'req/s';
  const errors = r.errors > 0 ? `, ${r.errors} errors ${JSON.stringify(r.statuses)}` : '';
  return `${rate} ${unit}, p50 ${(r.latencyUs.p50 / 1000).toFixed(2)} ms, p99 ${(r.latencyUs.p99 / 1000).toFixed(2)} ms${errors}`;
}

function toRow(cell: Cell, results: readonly LoadResult[]): LoadRow {
  const statuses: Record<string, number> = {};
  for (const r of results) {
    for (const [status, count] of Object.entries(r.statuses))
      statuses[status] = (statuses[status] ?? 0) + count;
  }
  return {
    scenario: cell.scenario,
    target: cell.target,
    connections: cell.connections,
    unit: cell.entriesPerRequest > 1 ? 'entries/s' : 'req/s',
    rate: summarize(results.map((r) => r.perSec * cell.entriesPerRequest)),
    p50Ms: summarize(results.map((r) => r.latencyUs.p50 / 1000)),
    p99Ms: summarize(results.map((r) => r.latencyUs.p99 / 1000)),
    p999Ms: summarize(results.map((r) => r.latencyUs.p999 / 1000)),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    statuses,
  };
}
