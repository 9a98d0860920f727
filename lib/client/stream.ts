/**
 * The client's resumable `/logs/stream`: Server-Sent Events from one node at a time; when that
 * node fails (connection error, stream cut, 503/429) the stream moves to the next node and resumes
 * after the last index seen, sent as Last-Event-ID, so no entry is skipped or repeated.
 */
import type { IncomingMessage } from 'node:http';
import { isLogClusterError, type LogClusterError } from '../errors.js';
import { errorFromReply } from './error-body.js';
import { openStream, readBody } from './http.js';
import { readEvents } from './sse.js';
import type { LogRecord } from './types.js';

/** What the client hands to a stream. */
export interface StreamConfig {
  readonly path: string;
  readonly lastEventId: number | string | undefined;
  readonly signal: AbortSignal | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** Reconnects in a row without receiving an entry before giving up. */
  readonly retries: number;
  readonly retryDelayMs: (attempt: number) => number;
  readonly firstUrl: () => string;
  readonly nextUrl: (failed: string) => string;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Entries of the stream, in index order, across reconnects. */
export async function* streamEntries(config: StreamConfig): AsyncGenerator<LogRecord> {
  const { signal } = config;
  let lastEventId = config.lastEventId === undefined ? null : String(config.lastEventId);
  let url = config.firstUrl();
  let failures = 0;
  let last: LogClusterError | null = null;
  while (!signal?.aborted) {
    if (failures > config.retries) throw last!;
    if (failures > 0) {
      await sleep(config.retryDelayMs(failures), signal);
      if (signal?.aborted) return;
    }
    const headers: Record<string, string> = { ...config.headers, accept: 'text/event-stream' };
    if (lastEventId !== null) headers['last-event-id'] = lastEventId;
    let res: IncomingMessage;
    try {
      res = await openStream(new URL(config.path, `${url}/`), {
        method: 'GET',
        headers,
        timeoutMs: config.timeoutMs,
      });
    } catch (error) {
      if (!isLogClusterError(error)) throw error;
      last = error;
      failures++;
      url = config.nextUrl(url);
      continue;
    }
    if (res.statusCode !== 200) {
      const status = res.statusCode ?? 0;
      last = errorFromReply(status, await readBody(res), url);
      if (status !== 503 && status !== 429) throw last;
      failures++;
      url = config.nextUrl(url);
      continue;
    }
    const abort = (): void => {
      res.destroy();
    };
    signal?.addEventListener('abort', abort, { once: true });
    try {
      for await (const event of readEvents(res)) {
        if (event.event !== 'message' && event.event !== 'entry') continue;
        const record = JSON.parse(event.data) as LogRecord;
        lastEventId = event.id ?? (typeof record.index === 'number' ? String(record.index) : lastEventId);
        failures = 0;
        yield record;
      }
      last = errorFromReply(503, `The stream from ${url} ended`, url);
    } catch (error) {
      if (signal?.aborted) return;
      if (!(error instanceof Error)) throw error;
      last = errorFromReply(503, `The stream from ${url} failed: ${error.message}`, url);
    } finally {
      signal?.removeEventListener('abort', abort);
      res.destroy();
    }
    failures++;
    url = config.nextUrl(url);
  }
}
