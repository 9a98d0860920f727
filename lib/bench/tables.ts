/**
 * A report as tables of text cells (pure): the CLI draws them with cli-table3, and
 * benchMarkdown() writes them as Markdown for docs/performance.md.
 */
import type { BenchReport, LoadRow } from './report.js';
import type { Summary } from './stats.js';

/** One table: a title, a header, rows of cells, and which columns are numbers (right-aligned). */
export interface TextTable {
  readonly title: string;
  readonly head: readonly string[];
  readonly rows: readonly (readonly string[])[];
  readonly numeric: readonly boolean[];
}

const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
const ms = (n: number) =>
  Number.isFinite(n) ? (n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0)) : '-';
const spread = (s: Summary) => `±${Math.round(s.spreadPercent)}%`;

/** Servers' CPU µs per request, and per entry for batched rows; "-" when not measured. */
function cpuCell(r: LoadRow): string {
  if (!r.cpuUsPerRequest) return '-';
  const perRequest = int(r.cpuUsPerRequest.median);
  if (r.unit !== 'entries/s' || !r.cpuUsPerEntry) return perRequest;
  return `${perRequest} (${r.cpuUsPerEntry.median.toFixed(1)}/entry)`;
}

function loadTable(report: BenchReport): TextTable {
  const rows = report.rows.map((r: LoadRow) => [
    r.scenario,
    r.target,
    String(r.connections),
    int(r.rate.median),
    r.unit,
    spread(r.rate),
    ms(r.p50Ms.median),
    ms(r.p99Ms.median),
    ms(r.p999Ms.median),
    cpuCell(r),
    r.errors === 0 ? '0' : `${r.errors} ${JSON.stringify(r.statuses)}`,
  ]);
  return {
    title: `HTTP load, closed loop: median of ${report.options.runs} runs of ${report.options.durationSec} s (spread = (max - min) / median; cpu = the system's server processes, /proc)`,
    head: [
      'scenario',
      'system',
      'conns',
      'rate',
      'unit',
      'spread',
      'p50 ms',
      'p99 ms',
      'p99.9 ms',
      'cpu µs/req',
      'errors',
    ],
    rows,
    numeric: [false, false, true, true, false, true, true, true, true, true, true],
  };
}

function otherTable(report: BenchReport): TextTable {
  const rows: string[][] = [];
  if (report.disk) {
    const d = report.disk;
    rows.push([
      'disk: 200-byte write + fdatasync per op',
      `${int(d.fsyncPerSec.median)} ops/s`,
      `${spread(d.fsyncPerSec)}; p50 ${ms(d.p50Ms.median)} ms, p99 ${ms(d.p99Ms.median)} ms`,
    ]);
  }
  if (report.queryLoad) {
    const q = report.queryLoad;
    rows.push([
      'query data load (batches of 1,000)',
      `${int(q.entriesPerSec)} entries/s`,
      `${q.mbPerSec.toFixed(1)} MB/s of request bodies; ${int(q.storedEntries)} entries stored`,
    ]);
  }
  const query = report.rows.find((r) => r.scenario === 'query');
  if (query)
    rows.push([
      'query /logs?level=error (newest 100)',
      `${ms(query.p50Ms.median)} ms median`,
      `p99 ${ms(query.p99Ms.median)} ms, ${int(query.rate.median)} req/s at 1 connection`,
    ]);
  if (report.failover) {
    const f = report.failover;
    const lost = f.recoveryMs.filter((x) => x === null).length;
    rows.push([
      'failover: SIGKILL leader -> writes again',
      `p50 ${int(f.p50Ms)} ms, max ${int(f.maxMs)} ms`,
      `${f.rounds} rounds${lost ? `, ${lost} not recovered in time` : ''}; ${
        f.electedP50Ms === undefined ? '' : `new leader seen after p50 ${int(f.electedP50Ms)} ms; `
      }log of ${int(f.logEntries)} entries`,
    ]);
  }
  if (report.coldStart) {
    const c = report.coldStart.ms;
    rows.push([
      'cold start: logcluster start --detach',
      `${int(c.median)} ms`,
      `${spread(c)}; runs ${c.runs.map(int).join(', ')} ms`,
    ]);
  }
  if (report.reopen) {
    const r = report.reopen;
    rows.push([
      'reopen: start -> leader',
      `${int(r.toLeaderMs.median)} ms`,
      `${int(r.bytes / 1e6)} MB, ${int(r.entries)} entries; ${spread(r.toLeaderMs)}`,
    ]);
    rows.push([
      'reopen: start -> every entry applied',
      `${int(r.toAppliedMs.median)} ms`,
      spread(r.toAppliedMs),
    ]);
    rows.push([
      'reopen data load (batches of 1,000)',
      `${int(r.loadEntriesPerSec)} entries/s`,
      `${r.loadMBPerSec.toFixed(1)} MB/s stored`,
    ]);
  }
  return {
    title: 'Other measurements (medians)',
    head: ['measurement', 'value', 'detail'],
    rows,
    numeric: [false, true, false],
  };
}

function ratioTable(report: BenchReport): TextTable {
  return {
    title: 'Ratios (logcluster / other, same run)',
    head: ['ratio', 'value'],
    rows: report.ratios.map((r) => [r.name, `${r.value.toFixed(2)}x`]),
    numeric: [false, true],
  };
}

function targetTable(report: BenchReport): TextTable {
  return {
    title: 'Issue 7 goals',
    head: ['goal', 'measured', 'status'],
    rows: report.targets.map((t) => [t.goal, t.measured, t.met === null ? 'n/a' : t.met ? 'met' : 'NOT YET']),
    numeric: [false, false, false],
  };
}

/** The report's tables, empty ones left out. */
export function benchTables(report: BenchReport): TextTable[] {
  return [loadTable(report), otherTable(report), ratioTable(report), targetTable(report)].filter(
    (t) => t.rows.length > 0,
  );
}

/** The report's tables as Markdown (pipes in cells escaped). */
export function benchMarkdown(report: BenchReport): string {
  const escapePipes = (cell: string) => cell.replaceAll('|', '\\|');
  return benchTables(report)
    .map((t) => {
      const line = (cells: readonly string[]) => `| ${cells.map(escapePipes).join(' | ')} |`;
      const rule = `|${t.numeric.map((n) => (n ? ' ---: ' : ' --- ')).join('|')}|`;
      return [`**${t.title}**`, '', line(t.head), rule, ...t.rows.map(line)].join('\n');
    })
    .join('\n\n');
}
