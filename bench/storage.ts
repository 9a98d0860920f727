/**
 * Storage benchmark (`npm run bench:storage [-- --quick] [-- --dir <path>] [-- --json]`): 200-byte
 * records on a real disk. Group commit with 1, 16 and 256 concurrent appenders (each loops:
 * append one record, await, repeat), against two baselines measured in the same run: a plain loop
 * of write + fdatasync per record, and the disk's sequential bandwidth (large writes, one
 * fdatasync). Every measurement runs several times; the table shows medians and spread.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type LogRecord, NodeFileSystem, SegmentedLog } from '../lib/storage/index.js';

/** Payload bytes of one record, as the issue's goal is stated. */
const RECORD_BYTES = 200;
/** tmpfs's f_type: a RAM disk would make fdatasync free and the numbers meaningless. */
const TMPFS_MAGIC = 0x01021994;

interface Config {
  runs: number;
  seconds: number;
  bandwidthMiB: number;
  dir: string;
  json: boolean;
}

interface Sample {
  appendsPerSec: number;
  mbPerSec: number;
  /** Group commit only: reopening the log just written (bytes of log, milliseconds). */
  reopen?: { bytes: number; ms: number };
}

function parseArgs(argv: string[]): Config {
  const quick = argv.includes('--quick');
  const at = argv.indexOf('--dir');
  const base = at >= 0 ? path.resolve(argv[at + 1]) : pickDir();
  return {
    runs: quick ? 3 : 5,
    seconds: quick ? 0.6 : 3,
    bandwidthMiB: quick ? 64 : 256,
    dir: fs.mkdtempSync(path.join(base, 'logcluster-bench-')),
    json: argv.includes('--json'),
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

async function groupCommit(config: Config, appenders: number, seconds: number): Promise<Sample> {
  const dir = freshDir(config, `group-${appenders}`);
  const { log } = await SegmentedLog.open(new NodeFileSystem(), dir);
  const payload = new Uint8Array(RECORD_BYTES).fill(7);
  let count = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  const appender = async () => {
    while (performance.now() < end) {
      const record: LogRecord = { index: log.lastIndex + 1, term: 1, type: 0, payload };
      await log.append([record]);
      count++;
    }
  };
  await Promise.all(Array.from({ length: appenders }, appender));
  const elapsed = (performance.now() - start) / 1000;
  const bytes = log.stats().bytes;
  await log.close();
  const reopenStart = performance.now();
  const { log: reopened } = await SegmentedLog.open(new NodeFileSystem(), dir);
  const reopen = { bytes, ms: performance.now() - reopenStart };
  await reopened.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return { appendsPerSec: count / elapsed, mbPerSec: (count * RECORD_BYTES) / elapsed / 1e6, reopen };
}

function fsyncPerRecord(config: Config, seconds: number): Sample {
  const dir = freshDir(config, 'per-record');
  const fd = fs.openSync(path.join(dir, 'log'), 'w');
  const record = Buffer.alloc(RECORD_BYTES, 7);
  let count = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    fs.writeSync(fd, record, 0, RECORD_BYTES, count * RECORD_BYTES);
    fs.fdatasyncSync(fd);
    count++;
  }
  const elapsed = (performance.now() - start) / 1000;
  fs.closeSync(fd);
  fs.rmSync(dir, { recursive: true, force: true });
  return { appendsPerSec: count / elapsed, mbPerSec: (count * RECORD_BYTES) / elapsed / 1e6 };
}

function bandwidth(config: Config): Sample {
  const dir = freshDir(config, 'bandwidth');
  const fd = fs.openSync(path.join(dir, 'big'), 'w');
  const chunk = Buffer.alloc(1024 * 1024, 7);
  const start = performance.now();
  for (let i = 0; i < config.bandwidthMiB; i++) fs.writeSync(fd, chunk, 0, chunk.length, i * chunk.length);
  fs.fdatasyncSync(fd);
  const elapsed = (performance.now() - start) / 1000;
  fs.closeSync(fd);
  fs.rmSync(dir, { recursive: true, force: true });
  const bytes = config.bandwidthMiB * chunk.length;
  return { appendsPerSec: bytes / RECORD_BYTES / elapsed, mbPerSec: bytes / elapsed / 1e6 };
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

async function main(): Promise<void> {
  const config = parseArgs(process.argv.slice(2));
  const cleanup = () => fs.rmSync(config.dir, { recursive: true, force: true });
  process.on('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  try {
    await groupCommit(config, 16, 0.3); // warm-up: JIT and file system caches
    const samples = new Map<string, Sample[]>();
    const add = (name: string, s: Sample) => samples.set(name, [...(samples.get(name) ?? []), s]);
    // Interleave the runs so slow drifts of the disk affect every row alike.
    for (let run = 0; run < config.runs; run++) {
      for (const n of [1, 16, 256])
        add(`group commit, ${n} appender${n > 1 ? 's' : ''}`, await groupCommit(config, n, config.seconds));
      add('baseline: write + fdatasync per record', fsyncPerRecord(config, config.seconds));
      add('baseline: sequential bandwidth', bandwidth(config));
    }
    const rows = [...samples].map(([name, s]) => summarize(name, s));
    report(config, rows);
  } finally {
    cleanup();
  }
}

function report(config: Config, rows: Row[]): void {
  const byName = (prefix: string) => rows.find((r) => r.name.startsWith(prefix))!;
  const g256 = byName('group commit, 256');
  const perRecord = byName('baseline: write');
  const disk = byName('baseline: sequential');
  const ratios = {
    bandwidthShare: g256.mbPerSec / disk.mbPerSec,
    overPerRecordFsync: g256.appendsPerSec / perRecord.appendsPerSec,
  };
  if (config.json) {
    console.log(
      JSON.stringify({ recordBytes: RECORD_BYTES, runs: config.runs, seconds: config.seconds, rows, ratios }),
    );
    return;
  }
  const fmt = (n: number, digits = 0) =>
    n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  console.log(
    `storage bench: ${RECORD_BYTES}-byte records, ${config.runs} runs of ${config.seconds}s each, dir ${config.dir}`,
  );
  console.log(
    `node ${process.version}, ${os.cpus().length} cpus; medians, spread = (max - min) / median of MB/s\n`,
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
  const reopen = g256.samples.map((x) => x.reopen!).sort((a, b) => b.bytes - a.bytes)[0];
  console.log(
    `reopen after the largest 256-appender run: ${fmt(reopen.bytes / 1e6, 1)} MB of log in ${fmt(reopen.ms, 1)} ms`,
  );
}

await main();
