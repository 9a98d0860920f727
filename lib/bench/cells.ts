/**
 * Runs closed-loop HTTP cells (one target at one concurrency) in interleaved rounds: round r
 * measures every cell once, so a slow drift of a shared machine hits every target alike and
 * the ratios stay fair. The first round warms each cell up (connections open, JIT warm) first.
 */
import type { LoadGenerator } from './load-generator.js';
import type { HttpLoadJob, LoadResult } from './load-protocol.js';
import { cpuUsPerOp, processesCpuUs } from './proc-cpu.js';
import type { BenchTarget, LoadRow, LoadScenario } from './report.js';
import { type Summary, summarize } from './stats.js';

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
  /** The pids of the measured system's server processes (null: unknown); absent: CPU not measured. */
  readonly pids?: () => readonly number[] | null;
}

/** One measured run of a cell: the load result and the servers' CPU µs per request (null: unknown). */
interface CellRun {
  readonly result: LoadResult;
  readonly cpuUsPerRequest: number | null;
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
  const results = cells.map((): CellRun[] => []);
  for (let run = 0; run < plan.runs; run++) {
    for (const [i, cell] of cells.entries()) {
      plan.checkpoint();
      if (run === 0 && plan.warmupSec > 0) await gen.run(cell.job(plan.warmupSec));
      plan.checkpoint();
      const measured = await measure(gen, cell, plan.durationSec);
      results[i].push(measured);
      plan.progress(`${label(cell)} run ${run + 1}/${plan.runs}: ${describe(cell, measured)}`);
    }
  }
  return cells.map((cell, i) => toRow(cell, results[i]));
}

/** A cell's name in progress lines. */
export function label(cell: Cell): string {
  return `${cell.scenario} ${cell.target} c=${cell.connections}`;
}

/** One run of `cell`, with the CPU its servers spent during it (not before: no warm-up). */
async function measure(gen: LoadGenerator, cell: Cell, durationSec: number): Promise<CellRun> {
  const pids = cell.pids?.() ?? null;
  const beforeUs = processesCpuUs(pids);
  const result = await gen.run(cell.job(durationSec));
  const afterUs = processesCpuUs(pids);
  return { result, cpuUsPerRequest: cpuUsPerOp(beforeUs, afterUs, result.ok + result.errors) };
}

function describe(cell: Cell, { result: r, cpuUsPerRequest }: CellRun): string {
  const rate = Math.round(r.perSec * cell.entriesPerRequest).toLocaleString('en-US');
  const unit = cell.entriesPerRequest > 1 ? 'entries/s' : 'req/s';
  const errors = r.errors > 0 ? `, ${r.errors} errors ${JSON.stringify(r.statuses)}` : '';
  const cpu = cpuUsPerRequest === null ? '' : `, cpu ${Math.round(cpuUsPerRequest)} µs/req`;
  return `${rate} ${unit}, p50 ${(r.latencyUs.p50 / 1000).toFixed(2)} ms, p99 ${(r.latencyUs.p99 / 1000).toFixed(2)} ms${cpu}${errors}`;
}

/** A summary of the runs that have a value; null when none has. */
function summarizeKnown(values: readonly (number | null)[]): Summary | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : summarize(known);
}

function toRow(cell: Cell, runs: readonly CellRun[]): LoadRow {
  const results = runs.map((r) => r.result);
  const cpuPerRequest = runs.map((r) => r.cpuUsPerRequest);
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
    cpuUsPerRequest: summarizeKnown(cpuPerRequest),
    cpuUsPerEntry: summarizeKnown(
      cpuPerRequest.map((us) => (us === null ? null : us / cell.entriesPerRequest)),
    ),
  };
}
