/**
 * What the harness asks of the load worker process and what it answers (IPC, JSON).
 */

/** Closed-loop HTTP load: `connections` keep-alive connections, one request in flight on each. */
export interface HttpLoadJob {
  readonly kind: 'http';
  /** Origin of the target, e.g. http://127.0.0.1:5001 (loopback only: checked by the worker). */
  readonly origin: string;
  readonly method: 'GET' | 'POST';
  /** Request paths, used in turn (one path: every request goes there). */
  readonly paths: readonly string[];
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly connections: number;
  /** How long to load; with `amount`, an upper bound only (the worker stops at whichever comes first). */
  readonly durationSec: number;
  /** Stop after this many requests (a bulk load); absent: run for durationSec. */
  readonly amount?: number;
  /** A request unanswered this long counts as an error (and its connection is reopened). */
  readonly timeoutSec: number;
}

/** One write + fdatasync per op on a fresh file in `dir`, for `durationSec`. */
export interface FsyncJob {
  readonly kind: 'fsync';
  readonly dir: string;
  readonly recordBytes: number;
  readonly durationSec: number;
}

/** Any job. */
export type LoadJob = HttpLoadJob | FsyncJob;

/** Latency percentiles in microseconds (successful requests only). */
export interface LatencyUs {
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly mean: number;
  readonly max: number;
}

/** What a job measured. */
export interface LoadResult {
  /** Successful operations (HTTP 2xx). */
  readonly ok: number;
  /** Failed operations: non-2xx answers, socket errors and timeouts. */
  readonly errors: number;
  /** HTTP status -> count (all answers). */
  readonly statuses: Readonly<Record<string, number>>;
  /** Measured wall time of the job. */
  readonly durationSec: number;
  /** ok / durationSec. */
  readonly perSec: number;
  readonly latencyUs: LatencyUs;
}

/** Harness -> worker. */
export interface JobMessage {
  readonly seq: number;
  readonly job: LoadJob;
}

/** Worker -> harness: the result, or why the job failed. */
export type ReplyMessage =
  | { readonly seq: number; readonly result: LoadResult }
  | { readonly seq: number; readonly error: string };

/** True for 127.0.0.0/8, ::1 and localhost: the benchmark never loads anything else. */
export function isLoopbackOrigin(origin: string): boolean {
  const host = new URL(origin).hostname;
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
