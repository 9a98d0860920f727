/**
 * createHttpApi: the node's public HTTP API on plain node:http. It owns routing, CORS, the
 * optional bearer token, timeouts and the one error shape; the node behind it is a NodeService.
 * It never handles 'upgrade': the node attaches its peer transport to that event.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { LogClusterError } from '../errors.js';
import { bearerCheck } from './auth.js';
import type { ApiContext, HttpApiOptions } from './context.js';
import { HttpMetrics } from './http-metrics.js';
import {
  BODY_BYTES_MAX,
  CLOSE_GRACE_MS,
  HEADER_BYTES_MAX,
  HEADERS_TIMEOUT_MS,
  KEEP_ALIVE_TIMEOUT_MS,
  LINGER_MS,
  REQUEST_TIMEOUT_MS,
  SSE_BUFFER_BYTES_MAX,
  SSE_HEARTBEAT_MS,
  STREAMS_MAX,
} from './limits.js';
import { CORS_HEADERS, sendError } from './reply.js';
import { ROUTES, Router } from './routes.js';
import type { NodeService } from './service.js';

export type { HttpApiOptions } from './context.js';

/** How often Node checks the header and request timeouts (its default, 30 s, would let a slow client live 4x HEADERS_TIMEOUT_MS). */
export const CONNECTIONS_CHECK_INTERVAL_MS = 1_000;

/** A running (or ready to run) HTTP API. */
export interface HttpApi {
  /** The server, for the node to attach its peer transport's 'upgrade' handler to. */
  readonly server: Server;
  /** Listens (port 0: any free port; host default 127.0.0.1); resolves with the bound port. */
  listen(port: number, host?: string): Promise<{ port: number }>;
  /** Ends open streams, stops accepting, waits up to CLOSE_GRACE_MS for in-flight requests. */
  close(): Promise<void>;
}

const PREFLIGHT_MAX_AGE_S = '600';

/** The parameters of every request without a query string; handlers only read them. */
const NO_QUERY: URLSearchParams = new URLSearchParams();

/** Builds the HTTP API over `service`. */
export function createHttpApi(service: NodeService, options: HttpApiOptions = {}): HttpApi {
  const api: ApiContext = {
    service,
    clock: options.clock ?? Date.now,
    bodyBytesMax: options.bodyBytesMax ?? BODY_BYTES_MAX,
    streamsMax: options.streamsMax ?? STREAMS_MAX,
    sseHeartbeatMs: options.sseHeartbeatMs ?? SSE_HEARTBEAT_MS,
    sseBufferBytesMax: options.sseBufferBytesMax ?? SSE_BUFFER_BYTES_MAX,
    report: options.onInternalError ?? ((error) => console.error('logcluster http: internal error', error)),
    metrics: new HttpMetrics(),
    streams: new Set(),
  };
  const router = new Router(ROUTES);
  const authenticate = options.token === undefined ? undefined : bearerCheck(options.token);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const startedMs = performance.now();
    let label = 'unmatched';
    let allow: string | undefined;
    try {
      const url = req.url ?? '/';
      const mark = url.indexOf('?');
      const path = pathOf(mark < 0 ? url : url.slice(0, mark));
      const routes = router.match(path);
      if (req.method === 'OPTIONS') {
        if (routes === undefined && path !== '*') throw notFound(req.method, path);
        preflight(req, res, routes?.allow ?? 'GET, POST, OPTIONS');
        return;
      }
      if (routes === undefined) throw notFound(req.method ?? '', path);
      label = routes.path;
      allow = routes.allow;
      const route = routes.byMethod.get(req.method ?? '');
      if (route === undefined) {
        throw new LogClusterError(
          'METHOD_NOT_ALLOWED',
          `${req.method} is not allowed on ${routes.path}; use ${allow}`,
          {
            allow,
          },
        );
      }
      const params = mark < 0 ? NO_QUERY : new URLSearchParams(url.slice(mark + 1));
      if (authenticate !== undefined && route.authenticated) {
        authenticate(req, route.queryToken ? (params.get('access_token') ?? undefined) : undefined);
      }
      await route.handle({ req, res, path, params, api });
    } catch (error) {
      const headers: Record<string, string> = {};
      if (allow !== undefined && error instanceof LogClusterError && error.code === 'METHOD_NOT_ALLOWED') {
        headers.allow = allow;
      }
      if (hasUnreadBody(req)) {
        // The body was not (fully) read: answer, then discard what still arrives for a moment
        // before closing. No `Connection: close`: Node would close right after the reply and the
        // client, still sending, would get a reset instead of the error.
        linger(req);
      }
      sendError(res, error, api.report, headers);
    } finally {
      api.metrics.count(label, res.statusCode, req.method, startedMs);
    }
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    void handle(req, res);
  };
  // https.Server has every method and event of http.Server used here (timeouts, upgrade, close).
  const server: Server = options.tls
    ? (createHttpsServer(
        {
          maxHeaderSize: HEADER_BYTES_MAX,
          connectionsCheckingInterval: CONNECTIONS_CHECK_INTERVAL_MS,
          ...options.tls,
        },
        onRequest,
      ) as unknown as Server)
    : createServer(
        { maxHeaderSize: HEADER_BYTES_MAX, connectionsCheckingInterval: CONNECTIONS_CHECK_INTERVAL_MS },
        onRequest,
      );
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.on('clientError', onClientError);

  return {
    server,
    listen: (port, host = '127.0.0.1') => listen(server, port, host),
    close: async () => {
      for (const stream of [...api.streams]) stream.end();
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}

/** The path of a request target; absolute-form targets (`http://host/path`) lose scheme and host. */
function pathOf(target: string): string {
  if (target.startsWith('/') || target === '*') return target;
  const match = /^https?:\/\/[^/]*(\/.*)?$/i.exec(target);
  return match === null ? target : (match[1] ?? '/');
}

function notFound(method: string, path: string): LogClusterError {
  const shown = path.length > 200 ? `${path.slice(0, 200)}…` : path;
  return new LogClusterError('ROUTE_NOT_FOUND', `No route for ${method} ${shown}`);
}

function preflight(req: IncomingMessage, res: ServerResponse, allow: string): void {
  const headers: Record<string, string> = {
    ...CORS_HEADERS,
    'access-control-max-age': PREFLIGHT_MAX_AGE_S,
    allow,
  };
  // Chrome's Private Network Access: a page opened from a file or the internet calling 127.0.0.1.
  if (req.headers['access-control-request-private-network'] === 'true') {
    headers['access-control-allow-private-network'] = 'true';
  }
  res.writeHead(204, headers);
  res.end();
}

function hasUnreadBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  const hasBody = (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
  return hasBody && !req.readableEnded;
}

function linger(req: IncomingMessage): void {
  const timer = setTimeout(() => req.socket.destroy(), LINGER_MS);
  timer.unref();
  req.once('end', () => clearTimeout(timer));
  req.once('close', () => clearTimeout(timer));
  req.resume();
}

/** Malformed HTTP never reaches a handler: oversized headers get the JSON shape, the rest a bare status. */
function onClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  let head = 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    const body = JSON.stringify(
      new LogClusterError(
        'HEADERS_TOO_LARGE',
        `The request headers are larger than ${HEADER_BYTES_MAX} bytes`,
      ).toJSON(),
    );
    const cors = Object.entries(CORS_HEADERS)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    head =
      `HTTP/1.1 431 Request Header Fields Too Large\r\n${cors}Content-Type: application/json; charset=utf-8\r\n` +
      `Connection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  } else if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    head = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';
  }
  socket.end(head);
}

function listen(server: Server, port: number, host: string): Promise<{ port: number }> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      reject(
        error.code === 'EADDRINUSE'
          ? new LogClusterError('PORT_IN_USE', `Port ${port} on ${host} is already in use`, { port, host })
          : error,
      );
    };
    const onListening = (): void => {
      server.off('error', onError);
      const address = server.address();
      resolve({ port: typeof address === 'object' && address !== null ? address.port : port });
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}
