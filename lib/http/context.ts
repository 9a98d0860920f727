/**
 * What every handler gets: the request, its response, the parsed path, lazily parsed query
 * parameters, and the API instance's shared state.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpMetrics } from './http-metrics.js';
import type { NodeService } from './service.js';

/** Options of createHttpApi; every bound defaults to its constant in limits.ts. */
export interface HttpApiOptions {
  /** When set, a bearer token required on every route but GET /health and OPTIONS. */
  readonly token?: string;
  /** Serve HTTPS with this PEM certificate chain and key (peers upgrade over the same TLS port). */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** Wall clock for relative times (`since=15m`); defaults to Date.now. */
  readonly clock?: () => number;
  readonly bodyBytesMax?: number;
  readonly streamsMax?: number;
  readonly sseHeartbeatMs?: number;
  readonly sseBufferBytesMax?: number;
  /** Receives every error that became a 500 INTERNAL (default: console.error). */
  readonly onInternalError?: (error: unknown) => void;
}

/** State shared by the handlers of one API instance. */
export interface ApiContext {
  readonly service: NodeService;
  readonly clock: () => number;
  readonly bodyBytesMax: number;
  readonly streamsMax: number;
  readonly sseHeartbeatMs: number;
  readonly sseBufferBytesMax: number;
  readonly report: (error: unknown) => void;
  readonly metrics: HttpMetrics;
  /** Open streams; close() ends each one. */
  readonly streams: Set<{ end(): void }>;
}

/** One request being handled. */
export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The raw (undecoded) path, without the query string. */
  readonly path: string;
  readonly params: URLSearchParams;
  readonly api: ApiContext;
}
