/**
 * GET /stats/stream: the node's health and stats as Server-Sent Events, one event every
 * STATS_STREAM_INTERVAL_MS, for live views (the dashboard). Every open stream of one API
 * instance shares one timer and one snapshot per interval, so N dashboards cost one report.
 * The steady beat doubles as liveness: a client that hears nothing for a few intervals knows the
 * node is stopped or cut off, and a closed connection says at once that it is gone.
 */

import type { ServerResponse } from 'node:http';
import { LogClusterError } from '../errors.js';
import type { ApiContext, RequestContext } from './context.js';
import { SSE_RETRY_MS } from './limits.js';
import { CORS_HEADERS } from './reply.js';

/** Period of status events: a node's failure shows on a dashboard within a few of these. */
export const STATS_STREAM_INTERVAL_MS = 250;
/** A consumer with this many unsent bytes skips snapshots (they are replaced by newer ones). */
export const STATS_STREAM_BACKLOG_BYTES_MAX = 64 * 1024;

/** The status event's body. */
export interface StatusEvent {
  readonly success: true;
  /** Epoch ms when the snapshot was taken. */
  readonly at: number;
  /** What GET /health answers, with its HTTP status. */
  readonly health: Readonly<Record<string, unknown>> & { readonly http_status: number };
  /** What GET /stats answers (without `success`). */
  readonly stats: Readonly<Record<string, unknown>>;
}

/** The streams of one API instance and their shared timer. */
class StatusBroadcast {
  readonly #api: ApiContext;
  readonly #streams = new Set<ServerResponse>();
  #timer: NodeJS.Timeout | null = null;
  #busy = false;

  constructor(api: ApiContext) {
    this.#api = api;
  }

  /** Opens the event stream on `res` and sends the first snapshot at once. */
  add(res: ServerResponse): void {
    const api = this.#api;
    res.writeHead(200, {
      ...CORS_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: ${SSE_RETRY_MS}\n\n`);
    const entry = { end: () => res.end() };
    this.#streams.add(res);
    api.streams.add(entry);
    api.metrics.streamsOpen++;
    res.on('close', () => {
      this.#streams.delete(res);
      api.streams.delete(entry);
      api.metrics.streamsOpen--;
      if (this.#streams.size === 0 && this.#timer !== null) {
        clearInterval(this.#timer);
        this.#timer = null;
      }
    });
    this.#timer ??= setInterval(() => void this.#broadcast(), STATS_STREAM_INTERVAL_MS);
    void this.#broadcast();
  }

  async #broadcast(): Promise<void> {
    if (this.#busy || this.#streams.size === 0) return;
    this.#busy = true;
    try {
      const text = `data: ${JSON.stringify(await this.#snapshot())}\n\n`;
      for (const res of this.#streams) {
        if (res.writableLength <= STATS_STREAM_BACKLOG_BYTES_MAX) res.write(text);
      }
    } catch (error) {
      this.#api.report(error);
    } finally {
      this.#busy = false;
    }
  }

  async #snapshot(): Promise<StatusEvent> {
    const { service } = this.#api;
    const [health, stats] = await Promise.all([service.health(), service.stats()]);
    const httpStatus = health.status === 'unhealthy' ? 503 : 200;
    return { success: true, at: Date.now(), health: { ...health, http_status: httpStatus }, stats };
  }
}

const broadcasts = new WeakMap<ApiContext, StatusBroadcast>();

/** GET /stats/stream. Parameters are ignored (like /stats), except `access_token`. */
export async function handleStatsStream({ res, api }: RequestContext): Promise<void> {
  if (api.metrics.streamsOpen >= api.streamsMax) {
    throw new LogClusterError(
      'OVERLOADED',
      `This node already serves ${api.streamsMax} streams; retry later`,
      { retry_after_ms: 1000 },
    );
  }
  let broadcast = broadcasts.get(api);
  if (broadcast === undefined) {
    broadcast = new StatusBroadcast(api);
    broadcasts.set(api, broadcast);
  }
  broadcast.add(res);
}
