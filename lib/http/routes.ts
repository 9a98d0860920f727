/**
 * The route table: the single source of truth for the router, for 405 Allow headers, and for
 * the test that keeps docs/api.md in step with what the server really answers.
 */

import type { RequestContext } from './context.js';
import {
  handleCluster,
  handleDashboard,
  handleHealth,
  handleLogs,
  handleMetrics,
  handleRead,
  handleStats,
  handleWrite,
} from './handlers.js';
import { handleLokiPush } from './ingest-loki.js';
import { handleOtlpLogs } from './ingest-otlp.js';
import { handleStatsStream } from './stats-stream.js';
import { handleStream } from './stream.js';

/** One public route. A trailing `{name}` matches the non-empty rest of the path. */
export interface Route {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly summary: string;
  /** False for the routes a bearer token never guards (GET /health). */
  readonly authenticated: boolean;
  /** True where the token may come as `?access_token=` (EventSource and page loads cannot set headers). */
  readonly queryToken?: boolean;
  readonly handle: (context: RequestContext) => Promise<void>;
}

/** Every public route, as docs/api.md lists them. OPTIONS (CORS preflight) is answered on each. */
export const ROUTES: readonly Route[] = [
  { method: 'POST', path: '/write', summary: 'append entries', authenticated: true, handle: handleWrite },
  { method: 'GET', path: '/read/{file_path}', summary: 'one entry', authenticated: true, handle: handleRead },
  { method: 'GET', path: '/logs', summary: 'query entries', authenticated: true, handle: handleLogs },
  {
    method: 'GET',
    path: '/logs/stream',
    summary: 'follow entries (SSE)',
    authenticated: true,
    queryToken: true,
    handle: handleStream,
  },
  {
    method: 'GET',
    path: '/health',
    summary: 'can this node serve',
    authenticated: false,
    handle: handleHealth,
  },
  { method: 'GET', path: '/stats', summary: 'node statistics', authenticated: true, handle: handleStats },
  {
    method: 'GET',
    path: '/stats/stream',
    summary: 'follow health and stats (SSE)',
    authenticated: true,
    queryToken: true,
    handle: handleStatsStream,
  },
  {
    method: 'GET',
    path: '/cluster',
    summary: 'the cluster as seen here',
    authenticated: true,
    handle: handleCluster,
  },
  {
    method: 'GET',
    path: '/metrics',
    summary: 'Prometheus metrics',
    authenticated: true,
    handle: handleMetrics,
  },
  {
    method: 'GET',
    path: '/dashboard',
    summary: 'the dashboard page',
    authenticated: true,
    queryToken: true,
    handle: handleDashboard,
  },
  {
    method: 'POST',
    path: '/loki/api/v1/push',
    summary: 'Loki push API (docs/integrations/loki.md)',
    authenticated: true,
    handle: handleLokiPush,
  },
  {
    method: 'POST',
    path: '/v1/logs',
    summary: 'OTLP/HTTP logs (docs/integrations/otlp.md)',
    authenticated: true,
    handle: handleOtlpLogs,
  },
];

/** The routes of one path, by method, with the Allow header value. */
export interface PathRoutes {
  /** The documented path (`/read/{file_path}`): the metrics label. */
  readonly path: string;
  readonly byMethod: ReadonlyMap<string, Route>;
  readonly allow: string;
}

/** Matches raw request paths against ROUTES: exact paths, and `/prefix/{param}` for one segment. */
export class Router {
  #exact = new Map<string, PathRoutes>();
  #prefixes: Array<{ prefix: string; routes: PathRoutes }> = [];

  constructor(routes: readonly Route[]) {
    const byPath = new Map<string, Route[]>();
    for (const route of routes) byPath.set(route.path, [...(byPath.get(route.path) ?? []), route]);
    for (const [path, list] of byPath) {
      const byMethod = new Map(list.map((route) => [route.method, route]));
      const routes: PathRoutes = { path, byMethod, allow: [...byMethod.keys(), 'OPTIONS'].join(', ') };
      const brace = path.indexOf('{');
      if (brace < 0) this.#exact.set(path, routes);
      else this.#prefixes.push({ prefix: path.slice(0, brace), routes });
    }
  }

  /** The routes for a raw path, or undefined. A parameter is the whole non-empty rest, validated by its handler. */
  match(path: string): PathRoutes | undefined {
    const exact = this.#exact.get(path);
    if (exact !== undefined) return exact;
    for (const { prefix, routes } of this.#prefixes) {
      if (path.startsWith(prefix) && path.length > prefix.length) return routes;
    }
    return undefined;
  }
}
