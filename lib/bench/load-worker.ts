/**
 * The load generator process (forked by load-generator.ts): runs autocannon for HTTP jobs and a
 * write + fdatasync loop for disk jobs, so neither steals the harness's event loop or CPU time
 * from the measured nodes' parent. autocannon drives each connection with a prebuilt request
 * buffer and its own parser: on this machine it sent 2x the requests/s of a node:http keep-alive
 * loop with less CPU (docs/performance.md), which matters when the generator shares 2 cores with
 * the cluster. It is loaded on demand, so the library never needs it unless a benchmark runs.
 */
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { LatencyHistogram } from './histogram.js';
import {
  type FsyncJob,
  type HttpLoadJob,
  isLoopbackOrigin,
  type JobMessage,
  type LatencyUs,
  type LoadResult,
  type ReplyMessage,
} from './load-protocol.js';

/** The subset of autocannon's API used here. */
interface AutocannonInstance {
  on(event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void): void;
  on(event: 'reqError', listener: (error: Error) => void): void;
  stop(): void;
}
type Autocannon = (
  options: Record<string, unknown>,
  done: (error: Error | null, result: { errors: number; timeouts: number }) => void,
) => AutocannonInstance;

async function loadAutocannon(): Promise<Autocannon> {
  const name = 'autocannon'; // a variable: no type declarations are needed for this optional import
  try {
    const mod = (await import(name)) as { default: Autocannon };
    return mod.default;
  } catch {
    throw new Error('autocannon is not installed: run `npm install autocannon` to use logcluster bench');
  }
}

function latencyOf(h: LatencyHistogram): LatencyUs {
  return {
    p50: h.quantileUs(0.5),
    p99: h.quantileUs(0.99),
    p999: h.quantileUs(0.999),
    mean: h.meanUs,
    max: h.maxUs,
  };
}

async function runHttp(job: HttpLoadJob): Promise<LoadResult> {
  if (!isLoopbackOrigin(job.origin)) throw new Error(`refusing a non-loopback target: ${job.origin}`);
  const autocannon = await loadAutocannon();
  const histogram = new LatencyHistogram();
  const statuses: Record<string, number> = {};
  let ok = 0;
  let failed = 0;
  let turn = 0;
  const paths = job.paths;
  const request: Record<string, unknown> = { method: job.method, path: paths[0] };
  if (paths.length > 1) {
    request.setupRequest = (req: Record<string, unknown>) => {
      req.path = paths[turn++ % paths.length];
      return req;
    };
  }
  const started = performance.now();
  const summary = await new Promise<{ errors: number; timeouts: number }>((resolve, reject) => {
    let cap: NodeJS.Timeout | undefined;
    const instance = autocannon(
      {
        url: job.origin,
        method: job.method,
        body: job.body,
        headers: job.headers ?? {},
        requests: [request],
        connections: job.connections,
        ...(job.amount === undefined ? { duration: job.durationSec } : { amount: job.amount }),
        timeout: job.timeoutSec,
        pipelining: 1,
      },
      (error, result) => {
        clearTimeout(cap);
        if (error) reject(error);
        else resolve(result);
      },
    );
    // With an amount, autocannon ignores the duration: bound the job's time here.
    if (job.amount !== undefined) cap = setTimeout(() => instance.stop(), job.durationSec * 1000);
    instance.on('response', (_client, status, _bytes, ms) => {
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status >= 200 && status < 300) {
        ok++;
        histogram.record(ms * 1000);
      } else failed++;
    });
  });
  const durationSec = (performance.now() - started) / 1000;
  return {
    ok,
    errors: failed + summary.errors + summary.timeouts,
    statuses,
    durationSec,
    perSec: ok / durationSec,
    latencyUs: latencyOf(histogram),
  };
}

function runFsync(job: FsyncJob): LoadResult {
  const dir = mkdtempSync(join(job.dir, 'fsync-'));
  const fd = openSync(join(dir, 'records'), 'w');
  const record = Buffer.alloc(job.recordBytes, 7);
  const histogram = new LatencyHistogram();
  let ops = 0;
  const started = performance.now();
  const end = started + job.durationSec * 1000;
  try {
    for (let now = started; now < end; ) {
      writeSync(fd, record, 0, record.length, ops * record.length);
      fdatasyncSync(fd);
      const after = performance.now();
      histogram.record((after - now) * 1000);
      now = after;
      ops++;
    }
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
  const durationSec = (performance.now() - started) / 1000;
  return {
    ok: ops,
    errors: 0,
    statuses: {},
    durationSec,
    perSec: ops / durationSec,
    latencyUs: latencyOf(histogram),
  };
}

function reply(message: ReplyMessage): void {
  process.send?.(message);
}

process.on('message', (message: JobMessage) => {
  const run =
    message.job.kind === 'http'
      ? runHttp(message.job)
      : Promise.resolve().then(() => runFsync(message.job as FsyncJob));
  run.then(
    (result) => reply({ seq: message.seq, result }),
    (error: unknown) =>
      reply({ seq: message.seq, error: error instanceof Error ? error.message : String(error) }),
  );
});
process.send?.({ ready: true });
// The harness is gone (crashed or done): a generator must never outlive it.
process.on('disconnect', () => process.exit(0));
