/**
 * The small local server behind `logcluster dashboard`: it serves the dashboard page (with the
 * node URLs filled in) on 127.0.0.1 and, for a cluster the manager started, a control API the
 * page's fail/recover buttons call. Breaking nodes is powerful, so the control API answers only
 * requests that carry the per-run key embedded in the page (a custom header: other origins
 * cannot send it without a CORS preflight, which this server never grants) and whose Host is
 * this server's own loopback address (no DNS rebinding).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { LogClusterError } from '../errors.js';
import { type DashboardConfig, dashboardPageWith } from './page.js';

/** The header carrying the control key. */
export const CONTROL_KEY_HEADER = 'x-dashboard-key';
/** A control request body is one small JSON object. */
export const CONTROL_BODY_BYTES_MAX = 1024;
/** The loopback address the server listens on: the control API must not be reachable from elsewhere. */
export const DASHBOARD_HOST = '127.0.0.1';

/** How a node is broken from the dashboard (the same modes as `logcluster fail`). */
export type DashboardFailMode = 'kill' | 'pause' | 'isolate';
const FAIL_MODES: readonly DashboardFailMode[] = ['kill', 'pause', 'isolate'];

/** What the control API does; usually DetachedCluster.open(dataDir).fail/recover. */
export interface DashboardControl {
  /** The node ids that may be failed and recovered. */
  readonly nodes: readonly string[];
  fail(id: string, mode: DashboardFailMode): Promise<void>;
  recover(id: string): Promise<void>;
}

/** Options of startDashboardServer. */
export interface DashboardServerOptions {
  /** The nodes the page watches: URLs, or ids with URLs (ids let buttons work for nodes already down). */
  readonly nodes: readonly (string | { readonly id: string; readonly url: string })[];
  readonly token?: string;
  /** Enables the fail/recover buttons. */
  readonly control?: DashboardControl;
  /** Default 0: a free port. */
  readonly port?: number;
}

/** A running dashboard server. */
export interface DashboardServer {
  /** `http://127.0.0.1:<port>/`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1; resolves once it listens. Throws PORT_IN_USE for a taken port. */
export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const key = randomBytes(18).toString('base64url');
  const config: DashboardConfig = {
    nodes: options.nodes,
    ...(options.token ? { token: options.token } : {}),
    ...(options.control ? { control: { key, nodes: options.control.nodes } } : {}),
  };
  let port = 0;
  const server = createServer((req, res) => {
    void handle(req, res, { config, key, control: options.control, port: () => port }).catch((error) =>
      replyError(res, error),
    );
  });
  port = await listen(server, options.port ?? 0);
  return {
    url: `http://${DASHBOARD_HOST}:${port}/`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface HandlerState {
  readonly config: DashboardConfig;
  readonly key: string;
  readonly control: DashboardControl | undefined;
  readonly port: () => number;
}

async function handle(req: IncomingMessage, res: ServerResponse, state: HandlerState): Promise<void> {
  const host = req.headers.host ?? '';
  if (host !== `${DASHBOARD_HOST}:${state.port()}` && host !== `localhost:${state.port()}`) {
    throw new LogClusterError('UNAUTHORIZED', `Host ${JSON.stringify(host)} is not this dashboard server`);
  }
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'GET' && (path === '/' || path === '/dashboard')) {
    const page = dashboardPageWith(state.config);
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-length': Buffer.byteLength(page),
      'x-frame-options': 'DENY',
    });
    res.end(page);
    return;
  }
  if (req.method === 'GET' && path === '/favicon.ico') {
    res.writeHead(204).end();
    return;
  }
  if (req.method === 'POST' && (path === '/control/fail' || path === '/control/recover')) {
    const control = state.control;
    if (control === undefined) {
      throw new LogClusterError('NOT_RUNNING', 'This dashboard watches a cluster it cannot control');
    }
    checkKey(req.headers[CONTROL_KEY_HEADER], state.key);
    const body = await readJson(req);
    const id = typeof body.node === 'string' ? body.node : '';
    if (!control.nodes.includes(id)) {
      throw new LogClusterError('UNKNOWN_NODE', `No node is called ${JSON.stringify(id)}`, { id });
    }
    if (path === '/control/fail') {
      const mode = body.mode as DashboardFailMode;
      if (!FAIL_MODES.includes(mode)) {
        throw new LogClusterError('INVALID_OPTION', `mode must be one of ${FAIL_MODES.join(', ')}`, {
          option: 'mode',
        });
      }
      await control.fail(id, mode);
      replyJson(res, 200, { success: true, node: id, mode });
    } else {
      await control.recover(id);
      replyJson(res, 200, { success: true, node: id });
    }
    return;
  }
  throw new LogClusterError('ROUTE_NOT_FOUND', `No route for ${req.method} ${path}`);
}

function checkKey(given: string | string[] | undefined, key: string): void {
  const a = Buffer.from(typeof given === 'string' ? given : '');
  const b = Buffer.from(key);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new LogClusterError('UNAUTHORIZED', 'The control key is missing or wrong (reload the page)');
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req) {
    bytes += (chunk as Buffer).length;
    if (bytes > CONTROL_BODY_BYTES_MAX) throw new LogClusterError('BODY_TOO_LARGE');
    chunks.push(chunk as Buffer);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new LogClusterError('INVALID_JSON', 'The body must be a JSON object');
}

function replyJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function replyError(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (!(error instanceof LogClusterError)) console.error('logcluster dashboard: internal error', error);
  const known = error instanceof LogClusterError ? error : new LogClusterError('INTERNAL');
  replyJson(res, known.status, known.toJSON());
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new LogClusterError('PORT_IN_USE', `Port ${port} on ${DASHBOARD_HOST} is already in use`, {
              port,
            })
          : error,
      ),
    );
    server.listen(port, DASHBOARD_HOST, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}
