/**
 * A node process's local control channel: a Unix domain socket (mode 0600, in the cluster's
 * data directory) on which it obeys isolate/heal. It lets `logcluster fail --mode isolate` and
 * `recover` reach a node the caller holds no IPC channel to (a detached node, or one owned by a
 * foreground `start` in another terminal) without any fault-injection route on the public HTTP
 * port. Protocol: one JSON request line, one JSON reply line.
 */
import { createHash } from 'node:crypto';
import { chmod, mkdir, rm } from 'node:fs/promises';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { LogClusterError } from '../errors.js';
import type { ParentMessage } from './ipc.js';

/** Unix socket paths are limited to ~108 bytes; longer ones move to the temp dir under a hash. */
export const SOCKET_PATH_BYTES_MAX = 100;
/** A request line longer than this is not ours: the connection is dropped. */
export const CONTROL_LINE_BYTES_MAX = 4096;
/** A local socket answers at once; silence this long means the node is paused or hung. */
export const CONTROL_TIMEOUT_MS = 2000;

/** Where node `id` of the cluster in dataDir listens for control requests. */
export function controlSocketPath(dataDir: string, id: string): string {
  const preferred = join(dataDir, 'run', `${id}.sock`);
  if (Buffer.byteLength(preferred) <= SOCKET_PATH_BYTES_MAX) return preferred;
  const hash = createHash('sha256').update(preferred).digest('hex').slice(0, 16);
  return join(tmpdir(), `logcluster-${hash}.sock`);
}

/** What a request may ask; `stop` is not offered here (signals do that). */
export type ControlRequest = Extract<ParentMessage, { type: 'isolate' | 'heal' }>;

/** Serves control requests until the returned server is closed (the socket file is removed then). */
export async function serveControl(path: string, handle: (request: ControlRequest) => void): Promise<Server> {
  await mkdir(dirname(path), { recursive: true });
  await rm(path, { force: true });
  const server = createServer((socket) => {
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      if (buffered.length > CONTROL_LINE_BYTES_MAX) return socket.destroy();
      const newline = buffered.indexOf('\n');
      if (newline === -1) return;
      let reply: { ok: boolean; error?: string };
      try {
        const request = JSON.parse(buffered.slice(0, newline)) as { type?: unknown };
        if (request.type !== 'isolate' && request.type !== 'heal') {
          throw new Error(`unknown request ${String(request.type)}`);
        }
        handle(request as ControlRequest);
        reply = { ok: true };
      } catch (error) {
        reply = { ok: false, error: (error as Error).message };
      }
      socket.end(`${JSON.stringify(reply)}\n`);
    });
  });
  server.unref();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  await chmod(path, 0o600);
  server.on('close', () => void rm(path, { force: true }));
  return server;
}

/**
 * Sends one control request. Throws NOT_RUNNING when nothing listens at path, TIMEOUT when the
 * node does not answer (paused), INTERNAL when it refuses the request.
 */
export function sendControl(path: string, request: ControlRequest): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let reply = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new LogClusterError('TIMEOUT', `the node at ${path} did not answer within ${CONTROL_TIMEOUT_MS} ms`),
      );
    }, CONTROL_TIMEOUT_MS);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: string) => {
      reply += chunk;
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new LogClusterError('NOT_RUNNING', `no node listens on ${path} (${error.code ?? error.message})`),
      );
    });
    socket.on('end', () => {
      clearTimeout(timer);
      try {
        const parsed = JSON.parse(reply) as { ok: boolean; error?: string };
        if (parsed.ok) resolve();
        else reject(new LogClusterError('INTERNAL', `the node refused ${request.type}: ${parsed.error}`));
      } catch {
        reject(new LogClusterError('INTERNAL', `the node at ${path} sent a malformed reply`));
      }
    });
  });
}
