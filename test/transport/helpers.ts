/**
 * Loopback fixtures for transport tests: real node:http servers on port 0 with an HttpTransport
 * wired into their 'upgrade' event exactly as a node does it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Message, NodeId } from '../../lib/consensus/types.js';
import { LogClusterError } from '../../lib/errors.js';
import { refuseUpgrade } from '../../lib/transport/handshake.js';
import { HttpTransport, type HttpTransportOptions } from '../../lib/transport/http-transport.js';

/** A node of a transport test: its server, transport, what it received and what it logged. */
export interface TestNode {
  readonly id: NodeId;
  server: Server;
  transport: HttpTransport;
  readonly batches: Message[][];
  readonly logs: string[];
  readonly url: string;
}

/** Starts a plain HTTP server on 127.0.0.1, port 0 unless given; public requests get 200 "ok". */
export async function listen(port = 0): Promise<Server> {
  const server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return server;
}

export function urlOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Wires `transport` into `server` the way StorageNode does. */
export function wire(server: Server, transport: HttpTransport): void {
  server.on('upgrade', (req, socket, head) => {
    if (!transport.handleUpgrade(req, socket, head)) {
      refuseUpgrade(socket, new LogClusterError('ROUTE_NOT_FOUND', `No upgrade route ${req.url}`));
    }
  });
}

/** Starts one server per id, then a transport per node that knows every other node as a peer. */
export async function startNodes(
  ids: readonly NodeId[],
  options: (id: NodeId) => Partial<HttpTransportOptions> = () => ({}),
): Promise<TestNode[]> {
  const servers = await Promise.all(ids.map(() => listen()));
  const urls = Object.fromEntries(ids.map((id, i) => [id, urlOf(servers[i])]));
  return ids.map((id, i) => makeNode(id, servers[i], urls, options(id)));
}

/** Builds the transport of node `id` on `server`, given every member's URL. */
export function makeNode(
  id: NodeId,
  server: Server,
  urls: Readonly<Record<NodeId, string>>,
  options: Partial<HttpTransportOptions> = {},
): TestNode {
  const peers = Object.fromEntries(Object.entries(urls).filter(([peer]) => peer !== id));
  const logs: string[] = [];
  const transport = new HttpTransport({ id, peers, log: (line) => logs.push(line), ...options });
  const batches: Message[][] = [];
  transport.onReceive((batch) => batches.push([...batch]));
  wire(server, transport);
  return { id, server, transport, batches, logs, url: urls[id] };
}

/** Closes a node as a process exit would: transport first (upgraded sockets), then the server. */
export async function stopNode(node: TestNode): Promise<void> {
  await node.transport.close();
  node.server.closeAllConnections();
  await new Promise<void>((resolve) => node.server.close(() => resolve()));
}

/** Polls `condition` every 5 ms until true; throws with `what` after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A heartbeat from `from` to `to` carrying `context` (handy to tell messages apart). */
export function heartbeat(from: NodeId, to: NodeId, context: string, term = 1): Message {
  return { type: 'heartbeat', from, to, term, commit: 0, context };
}
