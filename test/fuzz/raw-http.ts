/**
 * HTTP/1.1 over a raw TCP socket, so a test can send what no well-behaved client library would:
 * any method, target, header or framing, garbage bytes, a half-sent request. The reply is parsed
 * just far enough to judge it: status, headers, and the body when it is delimited.
 */
import { connect, type Socket } from 'node:net';

/** A request as bytes-to-be: everything a fuzzer may choose. */
export interface RawRequest {
  readonly method: string;
  readonly target: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
  /** How the body is delimited: Content-Length, chunked, none at all, or `raw` (body is the whole request). */
  readonly framing: 'length' | 'chunked' | 'none' | 'raw';
}

/** What came back. */
export interface RawReply {
  /** null: the connection closed before a status line. */
  readonly status: number | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** True when neither a complete reply nor a close came before the deadline. */
  readonly hung: boolean;
  readonly ms: number;
}

/** Bytes of a reply kept: a status line, headers and a bounded body are all a judge needs. */
export const REPLY_BYTES_MAX = 1024 * 1024;

/** The request's bytes. */
export function serialize(request: RawRequest): Buffer {
  if (request.framing === 'raw') return request.body;
  const head = [`${request.method} ${request.target} HTTP/1.1`];
  for (const [name, value] of request.headers) head.push(`${name}: ${value}`);
  let body = request.body;
  if (request.framing === 'length') head.push(`Content-Length: ${body.length}`);
  if (request.framing === 'chunked') {
    head.push('Transfer-Encoding: chunked');
    body =
      body.length === 0
        ? Buffer.from('0\r\n\r\n')
        : Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]);
  }
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'utf8'), body]);
}

/**
 * Sends `bytes` to host:port and waits for a complete reply (or the server's close) up to
 * `deadlineMs`. `head` marks a HEAD request (its reply has no body). `halfClose` ends the write
 * side after the bytes, as a client that gives up would: Node's server then drops replies still
 * being computed, so only raw garbage is sent that way.
 */
export function exchange(
  port: number,
  bytes: Buffer,
  deadlineMs: number,
  options: { head?: boolean; host?: string; halfClose?: boolean } = {},
): Promise<RawReply> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket: Socket = connect({ port, host: options.host ?? '127.0.0.1' });
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (hung: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const parsed = parseReply(Buffer.concat(chunks), options.head === true);
      resolve({ ...parsed.reply, hung, ms: Math.round(performance.now() - started) });
    };
    const timer = setTimeout(() => finish(true), deadlineMs);
    socket.on('connect', () => {
      socket.write(bytes);
      if (options.halfClose === true) socket.end();
    });
    socket.on('data', (chunk: Buffer) => {
      if (size < REPLY_BYTES_MAX) chunks.push(chunk);
      size += chunk.length;
      if (parseReply(Buffer.concat(chunks), options.head === true).complete) finish(false);
    });
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
  });
}

/** Parses what arrived; `complete` once the reply is delimited (length, chunked end, SSE head). */
export function parseReply(
  data: Buffer,
  head: boolean,
): { reply: Omit<RawReply, 'hung' | 'ms'>; complete: boolean } {
  const none = { reply: { status: null, headers: {}, body: Buffer.alloc(0) }, complete: false };
  let rest = data;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) return none;
    const lines = rest.subarray(0, end).toString('latin1').split('\r\n');
    const match = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
    if (!match) return none;
    const status = Number(match[1]);
    const body = rest.subarray(end + 4);
    if (status >= 100 && status < 200 && status !== 101) {
      rest = body; // an interim reply (100 Continue): the real one follows
      continue;
    }
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const reply = { status, headers, body };
    if (head || status === 204 || status === 304 || status === 101) return { reply, complete: true };
    if ((headers['content-type'] ?? '').startsWith('text/event-stream')) return { reply, complete: true };
    const length = headers['content-length'];
    if (length !== undefined) {
      return {
        reply: { ...reply, body: body.subarray(0, Number(length)) },
        complete: body.length >= Number(length),
      };
    }
    if (/chunked/i.test(headers['transfer-encoding'] ?? ''))
      return { reply, complete: body.includes('0\r\n\r\n') };
    return { reply, complete: false };
  }
}
