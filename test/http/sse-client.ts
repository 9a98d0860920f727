/** A minimal Server-Sent Events client over node:http, for tests: records events and comments. */

import { type IncomingHttpHeaders, request } from 'node:http';

export interface SseEvent {
  readonly id?: string;
  readonly event?: string;
  readonly data: string;
}

export interface SseStream {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly events: SseEvent[];
  readonly comments: string[];
  /** The body when the reply was not a stream (an error). */
  readonly text: () => string;
  readonly ended: Promise<void>;
  /** Resolves once `predicate` holds on what arrived; rejects after `timeoutMs`. */
  waitFor(predicate: (stream: SseStream) => boolean, timeoutMs?: number): Promise<void>;
  pause(): void;
  close(): void;
}

export function openStream(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let buffer = '';
      let raw = '';
      const waiters = new Set<() => void>();
      let endedResolve: () => void = () => {};
      const ended = new Promise<void>((r) => {
        endedResolve = r;
      });
      const stream: SseStream = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        events: [],
        comments: [],
        text: () => raw,
        ended,
        waitFor: (predicate, timeoutMs = 5_000) =>
          new Promise((ok, fail) => {
            if (predicate(stream)) return ok();
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`timed out; got ${stream.events.length} events: ${raw.slice(-300)}`));
            }, timeoutMs);
            const check = () => {
              if (!predicate(stream)) return;
              clearTimeout(timer);
              waiters.delete(check);
              ok();
            };
            waiters.add(check);
          }),
        pause: () => res.pause(),
        close: () => req.destroy(),
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        raw += chunk;
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          parseBlock(stream, buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
        for (const waiter of [...waiters]) waiter();
      });
      const finish = () => {
        endedResolve();
        for (const waiter of [...waiters]) waiter();
      };
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', finish);
      resolve(stream);
    });
    req.on('error', reject);
    req.end();
  });
}

function parseBlock(stream: SseStream, block: string): void {
  const fields: Record<string, string> = {};
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) {
      stream.comments.push(line.slice(1).trim());
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (name === 'data') data.push(value);
    else fields[name] = value;
  }
  if (data.length > 0) stream.events.push({ id: fields.id, event: fields.event, data: data.join('\n') });
}
