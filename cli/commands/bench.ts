/**
 * `logcluster bench` (also `npm run bench`): load-tests a fresh local cluster of real node
 * processes against the bare node:http ceiling, the disk's fdatasync rate and, with
 * `--compare etcd`, a 3-member etcd; prints tables and writes the report as JSON for tracking.
 * Ctrl-C stops every process the run started (a second Ctrl-C exits at once).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Table from 'cli-table3';
import {
  BENCH_SCENARIOS,
  type BenchReport,
  type BenchTable,
  benchMarkdown,
  benchTables,
  EXIT,
  runBenchmark,
} from '../../lib/index.js';
import { defineCommand } from '../command.js';
import { type GlobalArgs, type Output, output } from '../context.js';

interface BenchArgs extends GlobalArgs {
  readonly quick: boolean;
  readonly only?: string[];
  readonly duration?: number;
  readonly runs?: number;
  readonly compare?: string[];
  readonly etcdBin?: string;
  readonly cpuProf: boolean;
  readonly cpuProfDir?: string;
  readonly dir?: string;
  readonly out?: string;
  readonly markdown: boolean;
  readonly from?: string;
}

/** Exit code of a run stopped by Ctrl-C (128 + SIGINT), as shells expect. */
const EXIT_INTERRUPTED = 130;

function stamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, '-');
}

function draw(out: Output, t: BenchTable): string {
  const table = new Table({
    head: t.head.map((h) => out.color.bold(h)),
    colAligns: t.numeric.map((n) => (n ? 'right' : 'left')),
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const row of t.rows) {
    table.push(
      row.map((cell) =>
        cell === 'NOT YET' ? out.color.red(cell) : cell === 'met' ? out.color.green(cell) : cell,
      ),
    );
  }
  return `${out.color.bold(t.title)}\n${table.toString()}`;
}

function print(out: Output, report: BenchReport, args: BenchArgs): void {
  if (out.json) {
    out.data(report);
    return;
  }
  const m = report.machine;
  out.line(
    `${m.cpus} cpus (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.disk}, node ${m.node}, load average ${m.loadAverageStart.join(' ')} -> ${m.loadAverageEnd.join(' ')}`,
  );
  if (report.source) out.line(`code: ${report.source}`);
  if (report.etcdVersion) out.line(`compared with etcd ${report.etcdVersion} (3 members, HTTP JSON gateway)`);
  out.line();
  if (args.markdown) out.line(benchMarkdown(report));
  else for (const t of benchTables(report)) out.line(`${draw(out, t)}\n`);
  for (const note of report.notes) out.line(out.color.yellow(`note: ${note}`));
}

export const benchCommand = defineCommand<BenchArgs>({
  command: 'bench',
  describe: 'benchmark a fresh local 3-node cluster (writes, reads, query, failover, start, reopen)',
  builder: (y) =>
    y
      .option('quick', {
        type: 'boolean',
        default: false,
        describe: 'short run (under ~3 min): 1 s cells, smaller data',
      })
      .option('only', {
        type: 'string',
        array: true,
        describe: `scenarios, comma separated: ${BENCH_SCENARIOS.join(', ')}`,
      })
      .option('duration', { type: 'number', describe: 'seconds per measured cell (default 5, --quick 1)' })
      .option('runs', {
        type: 'number',
        describe: 'repetitions; medians and spreads are reported (default 3)',
      })
      .option('compare', {
        type: 'string',
        array: true,
        describe: 'run side by side: etcd (needs an etcd binary)',
      })
      .option('etcd-bin', { type: 'string', describe: 'the etcd executable (default: etcd on PATH)' })
      .option('cpu-prof', {
        type: 'boolean',
        default: false,
        describe: 'run the nodes with --cpu-prof (profiles in --cpu-prof-dir)',
      })
      .option('cpu-prof-dir', {
        type: 'string',
        describe: 'where node CPU profiles go (default bench/results/prof-<time>)',
      })
      .option('dir', {
        type: 'string',
        describe: 'where data goes (default the temp dir; a real disk, not tmpfs)',
      })
      .option('out', { type: 'string', describe: 'JSON report file (default bench/results/<time>.json)' })
      .option('from', { type: 'string', describe: 'print a saved JSON report instead of running' })
      .option('markdown', { type: 'boolean', default: false, describe: 'print the tables as Markdown' }),
  examples: [
    ['$0 bench --quick', 'every scenario, short (under ~3 min)'],
    ['$0 bench --compare etcd', 'the full run, with a 3-member etcd side by side'],
    ['$0 bench --only write --cpu-prof', 'profile the nodes on the write path'],
    ['$0 bench --from bench/results/<file>.json --markdown', 'print a saved report as Markdown'],
  ],
  handler: async (args) => {
    const out = output(args);
    if (args.from) {
      print(out, JSON.parse(readFileSync(args.from, 'utf8')) as BenchReport, args);
      return;
    }
    const now = new Date();
    const outFile = resolve(args.out ?? `bench/results/${stamp(now)}.json`);
    const cpuProfDir = args.cpuProfDir ?? (args.cpuProf ? `bench/results/prof-${stamp(now)}` : undefined);
    const controller = new AbortController();
    let interrupts = 0;
    const onSignal = (): void => {
      interrupts++;
      if (interrupts > 1) process.exit(EXIT_INTERRUPTED);
      out.note('stopping: tearing down every process of the run (Ctrl-C again to exit at once)');
      controller.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    let report: BenchReport;
    try {
      report = await runBenchmark(
        {
          quick: args.quick,
          only: args.only,
          durationSec: args.duration,
          runs: args.runs,
          compare: args.compare,
          etcdBin: args.etcdBin,
          cpuProfDir,
          dir: args.dir,
        },
        { onProgress: (line) => out.note(out.color.dim(line)), signal: controller.signal },
      );
    } catch (error) {
      if (controller.signal.aborted) {
        out.note('benchmark interrupted; every process it started was stopped');
        process.exitCode = EXIT_INTERRUPTED;
        return;
      }
      throw error;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    mkdirSync(dirname(outFile), { recursive: true });
    writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`);
    print(out, report, args);
    out.note(`report written to ${outFile}`);
    if (cpuProfDir) out.note(`node CPU profiles in ${resolve(cpuProfDir)} (nodes.json maps pids to nodes)`);
    process.exitCode = EXIT.ok;
  },
});
