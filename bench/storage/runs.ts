/**
 * The measurements of the storage benchmark (bench/storage.ts): group commit with N appenders on a
 * warmed log, and the two baselines of the issue (write + fdatasync per record; one large
 * sequential write + fdatasync).
 */
import fs from 'node:fs';
import path from 'node:path';
import { type LogRecord, NodeFileSystem, SEGMENT_BYTES_MAX, SegmentedLog } from '../../lib/storage/index.js';
import { SPARE_SEGMENT_NAME } from '../../lib/storage/spare-segment.js';

/** Payload bytes of one record, as the goal is stated. */
export const RECORD_BYTES = 200;

/** Smallest bandwidth write: below this the fdatasync's fixed cost would dominate the rate. */
export const BANDWIDTH_BYTES_MIN = 16 * 1024 * 1024;

/** One measurement. MB/s counts payload bytes (a record takes 25 more on disk). */
export interface Sample {
  appendsPerSec: number;
  mbPerSec: number;
  /** Group commit only: records made durable per fdatasync, the mean fdatasync latency the log saw, event-loop utilization. */
  recordsPerSync?: number;
  syncUs?: number;
  elu?: number;
}

/** NodeFileSystem that counts and times the log's fdatasyncs (what bounds a group-commit row). */
export class TimedFileSystem extends NodeFileSystem {
  syncs = 0;
  syncMs = 0;
  /** Files being preallocated (the spare segment): their fdatasyncs are not the log's rounds. */
  private readonly preallocating = new Set<number>();

  override async datasync(fd: number): Promise<void> {
    if (this.preallocating.has(fd)) return super.datasync(fd);
    const start = performance.now();
    try {
      await super.datasync(fd);
    } finally {
      this.syncs++;
      this.syncMs += performance.now() - start;
    }
  }

  override async preallocate(fd: number, length: number): Promise<void> {
    this.preallocating.add(fd);
    try {
      await super.preallocate(fd, length);
    } finally {
      this.preallocating.delete(fd);
    }
  }
}

/**
 * A log in steady state, as a node that has run a while has it: appended past its first
 * segment, so the active segment is a preallocated spare (appends overwrite zeros and every
 * fdatasync flushes data only). Filled with large batches; near the end of a segment it waits
 * for the spare to be ready, so one roll is enough.
 */
export async function warmLog(dir: string, fsys: NodeFileSystem): Promise<SegmentedLog> {
  const payload = new Uint8Array(RECORD_BYTES).fill(7);
  const { log } = await SegmentedLog.open(fsys, dir);
  const segments = () =>
    fs
      .readdirSync(dir)
      .filter((n) => n.endsWith('.log'))
      .sort();
  const size = (name: string) => fs.statSync(path.join(dir, name)).size;
  const spare = path.join(dir, SPARE_SEGMENT_NAME);
  const deadline = performance.now() + 120_000;
  while (performance.now() < deadline) {
    const names = segments();
    const newest = names[names.length - 1];
    if (names.length > 1 && size(newest) === SEGMENT_BYTES_MAX) return log;
    if (size(newest) > SEGMENT_BYTES_MAX * 0.9) {
      while (!(fs.existsSync(spare) && size(SPARE_SEGMENT_NAME) === SEGMENT_BYTES_MAX)) {
        if (performance.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await new Promise((resolve) => setTimeout(resolve, 100)); // its fdatasync
    }
    const batch: LogRecord[] = [];
    for (let i = 1; i <= 4096; i++) batch.push({ index: log.lastIndex + i, term: 1, type: 0, payload });
    await log.append(batch);
  }
  throw new Error('the log never rolled into a preallocated segment');
}

/**
 * `appenders` loops of append-one-record-and-await on `log` for `seconds`. Each builds its record
 * as a real caller would; the loops stop on a timer, so the clock is not read per append.
 */
export async function groupCommit(
  log: SegmentedLog,
  fsys: TimedFileSystem,
  appenders: number,
  seconds: number,
): Promise<Sample> {
  const payload = new Uint8Array(RECORD_BYTES).fill(7);
  let count = 0;
  let stop = false;
  const timer = setTimeout(() => {
    stop = true;
  }, seconds * 1000);
  const appender = async () => {
    while (!stop) {
      const record: LogRecord = { index: log.lastIndex + 1, term: 1, type: 0, payload };
      await log.append([record]);
      count++;
    }
  };
  const [syncs, syncMs] = [fsys.syncs, fsys.syncMs];
  const elu = performance.eventLoopUtilization();
  const start = performance.now();
  await Promise.all(Array.from({ length: appenders }, appender));
  const elapsed = (performance.now() - start) / 1000;
  clearTimeout(timer);
  return {
    appendsPerSec: count / elapsed,
    mbPerSec: (count * RECORD_BYTES) / elapsed / 1e6,
    recordsPerSync: count / (fsys.syncs - syncs),
    syncUs: ((fsys.syncMs - syncMs) / (fsys.syncs - syncs)) * 1000,
    elu: performance.eventLoopUtilization(elu).utilization,
  };
}

/** NodeFileSystem whose segment writes and fdatasyncs do nothing: the engine's own CPU cost shows. */
class NullIoFileSystem extends NodeFileSystem {
  override write(): void {}
  override async datasync(): Promise<void> {}
}

/**
 * CPU time per append (ns, all threads) of `appenders` loops on a log whose writes and fdatasyncs
 * do nothing: what the engine and the appender loop cost, free of the disk's noise. Medians of
 * `runs` runs of `seconds`.
 */
export async function cpuPerAppend(
  dir: string,
  appenders: number,
  seconds: number,
  runs: number,
): Promise<number> {
  const fsys = new NullIoFileSystem();
  Object.defineProperty(fsys, 'preallocate', { value: undefined }); // no spare: its zeros are real writes
  const { log } = await SegmentedLog.open(fsys, dir);
  const payload = new Uint8Array(RECORD_BYTES).fill(7);
  const once = async (s: number) => {
    let count = 0;
    let stop = false;
    const timer = setTimeout(() => {
      stop = true;
    }, s * 1000);
    const cpu = process.cpuUsage();
    const appender = async () => {
      while (!stop) {
        await log.append([{ index: log.lastIndex + 1, term: 1, type: 0, payload }]);
        count++;
      }
    };
    await Promise.all(Array.from({ length: appenders }, appender));
    clearTimeout(timer);
    const used = process.cpuUsage(cpu);
    return ((used.user + used.system) * 1000) / count;
  };
  await once(0.3); // JIT warm-up
  const ns: number[] = [];
  for (let i = 0; i < runs; i++) ns.push(await once(seconds));
  await log.close();
  return ns.sort((a, b) => a - b)[ns.length >> 1];
}

/** The first baseline: a plain loop of write + fdatasync per record, for `seconds`. */
export function fsyncPerRecord(dir: string, seconds: number): Sample {
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
  return { appendsPerSec: count / elapsed, mbPerSec: (count * RECORD_BYTES) / elapsed / 1e6 };
}

/**
 * The second baseline, the disk's sequential bandwidth: `bytes` written in 1 MiB writes
 * and one fdatasync. Called with the payload bytes the 256-appender run just made durable, so
 * both move the same amount of data (the disk's rate depends on it: its caches absorb bursts).
 */
export function bandwidth(dir: string, bytes: number): Sample {
  const fd = fs.openSync(path.join(dir, 'big'), 'w');
  const chunk = Buffer.alloc(1024 * 1024, 7);
  const total = Math.max(BANDWIDTH_BYTES_MIN, Math.round(bytes));
  const start = performance.now();
  for (let at = 0; at < total; at += chunk.length)
    fs.writeSync(fd, chunk, 0, Math.min(chunk.length, total - at), at);
  fs.fdatasyncSync(fd);
  const elapsed = (performance.now() - start) / 1000;
  fs.closeSync(fd);
  return { appendsPerSec: total / RECORD_BYTES / elapsed, mbPerSec: total / elapsed / 1e6 };
}
