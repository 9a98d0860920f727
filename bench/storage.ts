/**
 * Storage benchmark (`npm run bench:storage [-- --quick] [-- --dir <path>] [-- --json] [-- --cpu]`): 200-byte
 * records on a real disk. Group commit with 1, 16 and 256 concurrent appenders (each loops:
 * append one record, await, repeat), against two baselines measured in the same run: a plain loop
 * of write + fdatasync per record, and the disk's sequential bandwidth (large writes, one
 * fdatasync). Every measurement runs several times; the table shows medians and spread. The
 * logs are measured in steady state (see warmLog), each kept open across its runs. `--cpu` measures
 * only the engine's CPU time per append, with writes and fdatasyncs stubbed out (free of disk noise).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SYNC_ROUNDS_IN_FLIGHT_MAX } from '../lib/storage/group-commit.js';
import { SegmentedLog } from '../lib/storage/index.js';
import {
  bandwidth,
  cpuPerAppend,
  fsyncPerRecord,
  groupCommit,
  RECORD_BYTES,
  type Sample,
  TimedFileSystem,
  warmLog,
} from './storage/runs.js';

/** tmpfs's f_type: a RAM disk would make fdatasync free and the numbers meaningless. */
const TMPFS_MAGIC = 0x01021994;

interface Config {
  runs: number;
  seconds: number;
  dir: string;
  json: boolean;
  /** Only the engine's CPU cost per append, with writes and fdatasyncs stubbed out. */
  cpu: boolean;
}

function parseArgs(argv: string[]): Config {
  const quick = argv.includes('--quick');
  const at = argv.indexOf('--dir');
  const base = at >= 0 ? path.resolve(argv[at + 1]) : pickDir();
  return {
    runs: quick ? 3 : 5,
    seconds: quick ? 0.6 : 3,
    dir: fs.mkdtempSync(path.join(base, 'logcluster-bench-')),
    json: argv.includes('--json'),
    cpu: argv.includes('--cpu'),
  };
}

/** os.tmpdir() unless it is a RAM disk; then ./tmp in the working directory (git-ignored). */
function pickDir(): string {
  const tmp = os.tmpdir();
  if (fs.statfsSync(tmp).type !== TMPFS_MAGIC) return tmp;
  const local = path.resolve('tmp');
  fs.mkdirSync(local, { recursive: true });
  if (fs.statfsSync(local).type === TMPFS_MAGIC) throw new Error('no real disk found; pass --dir <path>');
  return local;
}

function freshDir(config: Config, name: string): string {
  const dir = path.join(config.dir, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir);
  return dir;
}

/** Runs `measure` in a fresh directory it may fill, removed afterwards. */
function inFreshDir(config: Config, name: string, measure: (dir: string) => Sample): Sample {
  const dir = freshDir(config, name);
  try {
    return measure(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Closes `log` and times reopening it. */
async function reopenTime(log: SegmentedLog, dir: string): Promise<{ bytes: number; ms: number }> {
  const bytes = log.stats().bytes;
  await log.close();
  const start = performance.now();
  const { log: reopened } = await SegmentedLog.open(new TimedFileSystem(), dir);
  const ms = performance.now() - start;
  await reopened.close();
  return { bytes, ms };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

interface Row {
  name: string;
  appendsPerSec: number;
  mbPerSec: number;
  spreadPercent: number;
  samples: Sample[];
}

function summarize(name: string, samples: Sample[]): Row {
  const mb = samples.map((s) => s.mbPerSec);
  const m = median(mb);
  return {
    name,
    appendsPerSec: median(samples.map((s) => s.appendsPerSec)),
    mbPerSec: m,
    spreadPercent: ((Math.max(...mb) - Math.min(...mb)) / m) * 100,
    samples,
  };
}

const rowName = (n: number) => `group commit, ${n} appender${n > 1 ? 's' : ''}`;

async function main(): Promise<void> {
  const config = parseArgs(process.argv.slice(2));
  const cleanup = () => fs.rmSync(config.dir, { recursive: true, force: true });
  process.on('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  try {
    if (config.cpu) {
      const ns = await cpuPerAppend(freshDir(config, 'cpu'), 256, config.seconds, config.runs * 3);
      console.log(
        `CPU per append, 256 appenders, no I/O (writes and fdatasyncs stubbed): ${Math.round(ns)} ns (median)`,
      );
      return;
    }
    const counts = [1, 16, 256];
    const logs = new Map<number, { log: SegmentedLog; fsys: TimedFileSystem }>();
    for (const n of counts) {
      const fsys = new TimedFileSystem();
      logs.set(n, { log: await warmLog(freshDir(config, `group-${n}`), fsys), fsys });
    }
    const run = (n: number, seconds: number) => groupCommit(logs.get(n)!.log, logs.get(n)!.fsys, n, seconds);
    await run(256, 0.3); // JIT warm-up
    const samples = new Map<string, Sample[]>();
    const add = (name: string, s: Sample) => samples.set(name, [...(samples.get(name) ?? []), s]);
    // Interleave the runs so slow drifts of the disk affect every row alike.
    for (let round = 0; round < config.runs; round++) {
      let lastBytes = 0;
      for (const n of counts) {
        const sample = await run(n, config.seconds);
        add(rowName(n), sample);
        lastBytes = sample.mbPerSec * 1e6 * config.seconds;
      }
      add(
        'baseline: write + fdatasync per record',
        inFreshDir(config, 'per-record', (dir) => fsyncPerRecord(dir, config.seconds)),
      );
      // The same bytes the 256-appender run just made durable, as one sequential write.
      add(
        'baseline: sequential bandwidth',
        inFreshDir(config, 'bandwidth', (dir) => bandwidth(dir, lastBytes)),
      );
    }
    await logs.get(1)!.log.close();
    await logs.get(16)!.log.close();
    const reopen = await reopenTime(logs.get(256)!.log, path.join(config.dir, 'group-256'));
    const rows = [...samples].map(([name, s]) => summarize(name, s));
    report(config, rows, reopen);
  } finally {
    cleanup();
  }
}

function report(config: Config, rows: Row[], reopen: { bytes: number; ms: number }): void {
  const byName = (prefix: string) => rows.find((r) => r.name.startsWith(prefix))!;
  const g256 = byName(rowName(256));
  const perRecord = byName('baseline: write');
  const disk = byName('baseline: sequential');
  // 256 appenders each wait for one record: by Little's law they can do at most 256 records per
  // fdatasync latency, which the per-record loop measures (1 / its rate).
  const latencyBoundMbPerSec = (256 * perRecord.appendsPerSec * RECORD_BYTES) / 1e6;
  const of256 = (key: 'recordsPerSync' | 'syncUs' | 'elu') => median(g256.samples.map((s) => s[key] ?? 0));
  const ratios = {
    bandwidthShare: g256.mbPerSec / disk.mbPerSec,
    overPerRecordFsync: g256.appendsPerSec / perRecord.appendsPerSec,
    latencyBoundShare: g256.mbPerSec / latencyBoundMbPerSec,
  };
  const [recordsPerSync, syncUs] = [of256('recordsPerSync'), of256('syncUs')];
  // What the log's own fdatasyncs allow: SYNC_ROUNDS_IN_FLIGHT_MAX rounds of that many records
  // overlap, each durable after that latency. The rest of the time is the CPU framing and settling.
  const syncBound = (SYNC_ROUNDS_IN_FLIGHT_MAX * recordsPerSync) / (syncUs / 1e6);
  const rounds = { recordsPerSync, syncUs, syncBoundAppendsPerSec: syncBound, elu: of256('elu') };
  if (config.json) {
    const out = {
      recordBytes: RECORD_BYTES,
      runs: config.runs,
      seconds: config.seconds,
      rows,
      ratios,
      rounds,
      reopen,
    };
    console.log(JSON.stringify(out));
    return;
  }
  const fmt = (n: number, digits = 0) =>
    n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  console.log(
    `storage bench: ${RECORD_BYTES}-byte records, ${config.runs} runs of ${config.seconds}s each, dir ${config.dir}`,
  );
  console.log(
    `node ${process.version}, ${os.cpus().length} cpus, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; medians, spread = (max - min) / median of MB/s\n`,
  );
  const header = ['measurement', 'appends/s', 'MB/s', 'spread'];
  const lines = rows.map((r) => [
    r.name,
    fmt(r.appendsPerSec),
    fmt(r.mbPerSec, 1),
    `${fmt(r.spreadPercent)}%`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const l of lines) console.log(line(l));
  console.log('');
  console.log(
    `256 appenders vs bandwidth:            ${fmt(ratios.bandwidthShare * 100, 1)}% of the disk's MB/s (goal >= 50%)`,
  );
  console.log(
    `256 appenders vs fsync-per-record loop: ${fmt(ratios.overPerRecordFsync, 1)}x the appends/s (goal >= 20x)`,
  );
  console.log(
    `256 appenders vs their fdatasync-latency bound (256 x 200 B x per-record loop rate = ${fmt(latencyBoundMbPerSec, 1)} MB/s): ${fmt(ratios.latencyBoundShare * 100, 0)}%`,
  );
  console.log(
    `256 appenders: ${fmt(rounds.recordsPerSync, 1)} records per fdatasync, ${fmt(rounds.syncUs)} us per fdatasync as the log saw it (${SYNC_ROUNDS_IN_FLIGHT_MAX} in flight: at most ${fmt(syncBound)} appends/s, reached ${fmt((g256.appendsPerSec / syncBound) * 100)}%), event loop ${fmt(rounds.elu * 100)}% busy`,
  );
  console.log(`reopen of the 256-appender log: ${fmt(reopen.bytes / 1e6, 1)} MB in ${fmt(reopen.ms, 1)} ms`);
}

await main();
