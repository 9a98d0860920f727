/**
 * GET /logs/stream: committed entries as Server-Sent Events. Each event is `id: <index>` and
 * `data: <record JSON>`, so a client that reconnects with Last-Event-ID (EventSource does it by
 * itself) resumes right after the last entry it saw, on this node or any other. The replay from
 * the cursor is paged through NodeService.query, waiting for the socket to drain between pages;
 * then live entries follow from NodeService.subscribe. A consumer that lets more than the buffer
 * bound pile up is cut off (it can resume), so a slow reader never grows the node's memory.
 */

import type { ServerResponse } from 'node:http';
import { isLogClusterError, LogClusterError } from '../errors.js';
import type { LogRecord } from '../node/entries/record.js';
import type { Subscription } from '../node/live-feed.js';
import type { LogFilter } from '../node/log-query.js';
import type { ApiContext, RequestContext } from './context.js';
import { SSE_PAGE_ENTRIES, SSE_RETRY_MS } from './limits.js';
import { checkKnown, parseConsistency, parseFilter, parseIndexParam, STREAM_PARAMS } from './query-params.js';
import { CORS_HEADERS } from './reply.js';

/** One open event stream. */
class EventStream {
  #res: ServerResponse;
  #api: ApiContext;
  #heartbeat: NodeJS.Timeout;
  closed = false;
  /** Index of the last entry sent, or null when none was. */
  lastIndex: number | null = null;
  subscription: Subscription | undefined;

  constructor(res: ServerResponse, api: ApiContext) {
    this.#res = res;
    this.#api = api;
    res.writeHead(200, {
      ...CORS_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: ${SSE_RETRY_MS}\n\n`);
    api.streams.add(this);
    api.metrics.streamsOpen++;
    this.#heartbeat = setInterval(() => this.#write(': heartbeat\n\n'), api.sseHeartbeatMs);
    res.on('close', () => this.#cleanup());
  }

  send(record: LogRecord): void {
    if (this.closed) return;
    this.lastIndex = record.index;
    this.#write(`id: ${record.index}\ndata: ${JSON.stringify(record)}\n\n`);
  }

  #write(text: string): void {
    if (this.closed) return;
    this.#res.write(text);
    if (this.#res.writableLength > this.#api.sseBufferBytesMax) {
      this.#api.metrics.streamsCut++;
      this.#res.destroy();
      this.#cleanup();
    }
  }

  /** Sends an `error` event with API.md's error body, then ends the stream. */
  fail(error: unknown): void {
    if (this.closed) return;
    if (!isLogClusterError(error)) this.#api.report(error);
    const body = isLogClusterError(error) ? error.toJSON() : new LogClusterError('INTERNAL').toJSON();
    this.#write(`event: error\ndata: ${JSON.stringify(body)}\n\n`);
    this.end();
  }

  end(): void {
    if (this.closed) return;
    this.#res.end();
    this.#cleanup();
  }

  /** Resolves when the socket has room again (or the stream closed). */
  drained(): Promise<void> {
    if (this.closed || this.#res.writableLength === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.#res.off('drain', done);
        this.#res.off('close', done);
        resolve();
      };
      this.#res.on('drain', done);
      this.#res.on('close', done);
    });
  }

  #cleanup(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.#heartbeat);
    this.subscription?.close();
    this.#api.streams.delete(this);
    this.#api.metrics.streamsOpen--;
  }
}

/** The replay cursor: Last-Event-ID header, else last_event_id, else after; null: live only. */
function startCursor({ req, params }: RequestContext, filter: LogFilter): number | null {
  const header = req.headers['last-event-id'];
  if (typeof header === 'string' && header !== '') return parseIndexParam('Last-Event-ID', header.trim());
  for (const name of ['last_event_id', 'after']) {
    const value = params.get(name);
    if (value !== null) return parseIndexParam(name, value);
  }
  // `since` without a cursor means "replay from then", not "from now".
  return filter.sinceMs === undefined ? null : 0;
}

/** GET /logs/stream. */
export async function handleStream(context: RequestContext): Promise<void> {
  const { params, api } = context;
  checkKnown(params, STREAM_PARAMS, true);
  const filter = parseFilter(params, api.clock());
  const consistency = parseConsistency(params);
  let after = startCursor(context, filter);
  if (api.metrics.streamsOpen >= api.streamsMax) {
    throw new LogClusterError(
      'OVERLOADED',
      `This node already serves ${api.streamsMax} streams; retry later`,
      {
        retry_after_ms: 1000,
      },
    );
  }
  const pageOf = (cursor: number, level: typeof consistency) =>
    api.service.query({ ...filter, after: cursor, limit: SSE_PAGE_ENTRIES, order: 'asc' }, level);
  // The first page is read before the stream opens, so an unavailable node answers a plain error.
  let page = after === null ? undefined : await pageOf(after, consistency);
  const stream = new EventStream(context.res, api);
  try {
    while (page !== undefined && after !== null) {
      for (const record of page.entries) stream.send(record);
      after = Math.max(after, page.next_after ?? stream.lastIndex ?? after);
      if (page.next_after === null || stream.closed) break;
      await stream.drained();
      if (stream.closed) return;
      page = await pageOf(after, 'local');
    }
    if (stream.closed) return;
    const subscription = api.service.subscribe(filter, after, {
      entry: (record) => stream.send(record),
      end: (error) => (error === undefined ? stream.end() : stream.fail(error)),
    });
    if (stream.closed) subscription.close();
    else stream.subscription = subscription;
  } catch (error) {
    stream.fail(error);
  }
}
