/**
 * A real HTTP API on a free port (port 0) over a MemoryService, and a raw HTTP client that sends
 * paths exactly as given (fetch would normalise `..` away before the server ever saw it).
 */

import { type IncomingHttpHeaders, request } from 'node:http';
import type { ExecutionContext } from 'ava';
import type { HttpApiOptions } from '../../lib/http/context.js';
import { createHttpApi, type HttpApi } from '../../lib/http/server.js';
import { MemoryService } from './memory-service.js';

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  readonly json: any;
}

export interface Harness {
  readonly api: HttpApi;
  readonly service: MemoryService;
  readonly port: number;
  readonly internalErrors: unknown[];
  send(
    method: string,
    path: string,
    options?: { headers?: Record<string, string>; body?: string | Buffer },
  ): Promise<Reply>;
  write(body: unknown): Promise<Reply>;
}

export async function start(t: ExecutionContext, options: HttpApiOptions = {}): Promise<Harness> {
  const service = new MemoryService();
  const internalErrors: unknown[] = [];
  const api = createHttpApi(service, {
    clock: () => service.nowMs,
    onInternalError: (error) => internalErrors.push(error),
    ...options,
  });
  const { port } = await api.listen(0);
  t.teardown(() => api.close());
  const send: Harness['send'] = (method, path, sendOptions = {}) =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string> = { ...sendOptions.headers };
      if (sendOptions.body !== undefined && headers['transfer-encoding'] === undefined) {
        headers['content-length'] ??= String(Buffer.byteLength(sendOptions.body));
      }
      const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      // A declared length over the bound is answered before the body: send none then.
      if (sendOptions.body === undefined) req.end();
      else req.end(sendOptions.body);
    });
  const write = (body: unknown) =>
    send('POST', '/write', { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { api, service, port, internalErrors, send, write };
}
