/**
 * The HTTP/1.1 Upgrade handshake that turns a request to `/_raft` on a node's public port into a
 * one-way peer connection (docs/transport.md). The sender presents protocol version, its id, the
 * id it means to reach, the cluster id and (when configured) the cluster secret; the receiver
 * answers 101 or refuses with the API's JSON error body and closes.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { NodeId } from '../consensus/types.js';
import { LogClusterError } from '../errors.js';
import { PEER_PROTOCOL_VERSION } from './codec.js';

/** The path peer connections upgrade on; the public API never serves it. */
export const PEER_UPGRADE_PATH = '/_raft';

/** The `Upgrade:` protocol token of a peer connection. */
export const PEER_UPGRADE_PROTOCOL = 'logcluster-raft';

/** Handshake header names (lower case, as Node exposes them). */
export const PEER_HEADERS = {
  version: 'x-logcluster-protocol',
  node: 'x-logcluster-node',
  target: 'x-logcluster-target',
  cluster: 'x-logcluster-cluster',
  secret: 'x-logcluster-secret',
} as const;

/** Longest header value echoed back in a refusal, so a refusal never reflects a large input. */
const ECHO_CHARS_MAX = 64;

/** What the sender says about itself in the handshake. */
export interface HandshakeIdentity {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly clusterId: string;
  readonly secret: string | null;
}

/** The request headers of an outgoing peer upgrade. */
export function handshakeHeaders(identity: HandshakeIdentity): Record<string, string> {
  const headers: Record<string, string> = {
    connection: 'Upgrade',
    upgrade: PEER_UPGRADE_PROTOCOL,
    [PEER_HEADERS.version]: String(PEER_PROTOCOL_VERSION),
    [PEER_HEADERS.node]: identity.from,
    [PEER_HEADERS.target]: identity.to,
    [PEER_HEADERS.cluster]: identity.clusterId,
  };
  if (identity.secret !== null) headers[PEER_HEADERS.secret] = identity.secret;
  return headers;
}

/** SHA-256 of a secret: equal-length digests let timingSafeEqual compare secrets of any length. */
export function secretDigest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Constant-time check of a presented secret against the expected digest. */
export function secretMatches(presented: string | undefined, expected: Buffer): boolean {
  return timingSafeEqual(secretDigest(presented ?? ''), expected) && presented !== undefined;
}

/** What the receiver expects of a handshake. */
export interface HandshakeExpectation {
  readonly id: NodeId;
  readonly clusterId: string;
  readonly secretDigest: Buffer | null;
  isPeer(id: NodeId): boolean;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function echo(value: string | undefined): string {
  if (value === undefined) return '(none)';
  return JSON.stringify(value.length > ECHO_CHARS_MAX ? `${value.slice(0, ECHO_CHARS_MAX)}…` : value);
}

/**
 * Checks an upgrade request to PEER_UPGRADE_PATH. Returns the sender's id, or the error to refuse
 * with. Order matters: the secret is checked before anything about the cluster is revealed.
 */
export function checkHandshake(req: IncomingMessage, expect: HandshakeExpectation): NodeId | LogClusterError {
  const upgrade = header(req, 'upgrade');
  if (req.method !== 'GET' || upgrade?.toLowerCase() !== PEER_UPGRADE_PROTOCOL) {
    return new LogClusterError(
      'PEER_PROTOCOL_MISMATCH',
      `Peer connections must be GET with Upgrade: ${PEER_UPGRADE_PROTOCOL} (got ${echo(upgrade)})`,
    );
  }
  const version = header(req, PEER_HEADERS.version);
  if (version !== String(PEER_PROTOCOL_VERSION)) {
    return new LogClusterError(
      'PEER_PROTOCOL_MISMATCH',
      `Node ${expect.id} speaks peer protocol version ${PEER_PROTOCOL_VERSION}; the peer sent ${echo(version)}`,
      { protocol_version: PEER_PROTOCOL_VERSION },
    );
  }
  if (expect.secretDigest !== null && !secretMatches(header(req, PEER_HEADERS.secret), expect.secretDigest)) {
    return new LogClusterError('PEER_UNAUTHORIZED', 'The peer did not present the cluster secret');
  }
  const cluster = header(req, PEER_HEADERS.cluster);
  if (cluster !== expect.clusterId) {
    return new LogClusterError(
      'PEER_UNAUTHORIZED',
      `Node ${expect.id} belongs to cluster ${echo(expect.clusterId)}; the peer to ${echo(cluster)}`,
    );
  }
  const from = header(req, PEER_HEADERS.node);
  if (from === undefined || from === expect.id || !expect.isPeer(from)) {
    return new LogClusterError('PEER_UNAUTHORIZED', `${echo(from)} is not a peer of node ${expect.id}`);
  }
  const target = header(req, PEER_HEADERS.target);
  if (target !== expect.id) {
    return new LogClusterError('UNKNOWN_NODE', `This is node ${expect.id}, not ${echo(target)}`, {
      node_id: expect.id,
    });
  }
  return from;
}

/** Answers an upgrade with 101, after which the socket carries frames from the peer. */
export function acceptUpgrade(socket: Duplex, selfId: NodeId): void {
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\n' +
      'Connection: Upgrade\r\n' +
      `Upgrade: ${PEER_UPGRADE_PROTOCOL}\r\n` +
      `X-LogCluster-Protocol: ${PEER_PROTOCOL_VERSION}\r\n` +
      `X-LogCluster-Node: ${selfId}\r\n\r\n`,
  );
}

/**
 * Refuses an upgrade: writes `error` as the API's JSON error body with its HTTP status and closes
 * the socket once written. Usable by the node's HTTP layer for upgrades to other paths.
 */
export function refuseUpgrade(socket: Duplex, error: LogClusterError): void {
  const body = JSON.stringify(error.toJSON());
  const response =
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}\r\n` +
    'Content-Type: application/json\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n\r\n' +
    body;
  if (socket.writable) socket.end(response, () => socket.destroy());
  else socket.destroy();
}
