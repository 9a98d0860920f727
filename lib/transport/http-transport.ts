/**
 * The real network transport. Peer traffic shares the node's HTTP port but never its public
 * routes: each node opens ONE persistent outgoing connection per peer by upgrading a request to
 * `/_raft` (handshake.ts), then writes length-prefixed frames of message batches on it
 * (peer-link.ts). Inbound upgraded connections only receive. Wire protocol: docs/transport.md.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Message, NodeId } from '../consensus/types.js';
import { isLogClusterError, LogClusterError } from '../errors.js';
import { decodeFrameBody } from './codec.js';
import { FrameReader } from './frame-reader.js';
import {
  acceptUpgrade,
  checkHandshake,
  type HandshakeExpectation,
  PEER_UPGRADE_PATH,
  refuseUpgrade,
  secretDigest,
} from './handshake.js';
import { PEER_KEEPALIVE_INTERVAL_MS, PeerLink } from './peer-link.js';
import {
  PEER_QUEUE_MESSAGES_MAX,
  type PeerReachableHandler,
  type PeerStats,
  type PeerUnreachableHandler,
  type ReceiveHandler,
  type Transport,
} from './transport.js';
import { type HttpTransportOptions, resolveTransportOptions } from './transport-options.js';

export type { HttpTransportOptions };

/** An inbound connection silent this long (keepalives included) is dead; free its socket. */
export const PEER_INBOUND_IDLE_TIMEOUT_MS = 10 * PEER_KEEPALIVE_INTERVAL_MS;

/** Counters of the receiving side, for /stats and tests. */
export interface InboundStats {
  /** Inbound peer connections open now. */
  readonly connections: number;
  /** Upgrade requests refused (bad version, secret, cluster or sender). */
  readonly refused: number;
  /** Connections closed because a frame was malformed. */
  readonly invalidFrames: number;
  /** Messages sent to ids that are not peers (dropped). */
  readonly unroutable: number;
  /** Why the last upgrade or connection was refused (never contains a secret), or null. */
  readonly lastRefusal: string | null;
}

/**
 * Transport over HTTP/1.1 Upgrade. Wire the node's server with
 * `server.on('upgrade', (req, socket, head) => { if (!t.handleUpgrade(req, socket, head)) refuse(...) })`
 * and call `close()` before `server.close()` (upgraded sockets keep a server open).
 */
export class HttpTransport implements Transport {
  readonly id: NodeId;
  private readonly links = new Map<NodeId, PeerLink>();
  private readonly inbound = new Map<NodeId, Duplex>();
  private readonly expectation: HandshakeExpectation;
  private readonly clusterId: string;
  private readonly secret: string | null;
  private readonly ca: string | undefined;
  private readonly queueMessagesMax: number;
  private readonly log: (line: string) => void;
  private handler: ReceiveHandler | null = null;
  private unreachableHandler: PeerUnreachableHandler | null = null;
  private reachableHandler: PeerReachableHandler | null = null;
  private readonly keepaliveTimer: NodeJS.Timeout;
  private closed = false;
  private refused = 0;
  private invalidFrames = 0;
  private unroutable = 0;
  private lastRefusal: string | null = null;

  /** Throws LogClusterError('INVALID_OPTION') naming a bad option (never echoing the secret). */
  constructor(options: HttpTransportOptions) {
    const resolved = resolveTransportOptions(options);
    this.id = resolved.id;
    this.clusterId = resolved.clusterId;
    this.secret = resolved.clusterSecret;
    this.ca = resolved.ca;
    this.queueMessagesMax = resolved.queueMessagesMax ?? PEER_QUEUE_MESSAGES_MAX;
    this.log = resolved.log;
    const digest = this.secret === null ? null : secretDigest(this.secret);
    this.expectation = {
      id: this.id,
      clusterId: this.clusterId,
      secretDigest: digest,
      isPeer: (id) => this.links.has(id),
    };
    this.applyPeers(resolved.peers);
    this.keepaliveTimer = setInterval(() => {
      const nowMs = Date.now();
      for (const link of this.links.values()) link.keepalive(nowMs);
    }, PEER_KEEPALIVE_INTERVAL_MS / 2);
    this.keepaliveTimer.unref();
  }

  /**
   * Replaces the peer set (membership changes): new ids get a link, removed ids lose theirs (and
   * their inbound connection). A changed URL reconnects. Ids and URLs are validated as in the
   * constructor.
   */
  setPeers(peers: Readonly<Record<NodeId, string>>): void {
    this.applyPeers(resolveTransportOptions({ id: this.id, peers }).peers);
  }

  private applyPeers(resolved: ReadonlyMap<NodeId, URL>): void {
    for (const [id, link] of this.links) {
      if (resolved.get(id)?.href !== link.url.href) {
        void link.close();
        this.links.delete(id);
        this.inbound.get(id)?.destroy();
      }
    }
    for (const [id, url] of resolved) {
      if (this.links.has(id)) continue;
      const link = new PeerLink({
        self: this.id,
        peer: id,
        url,
        clusterId: this.clusterId,
        secret: this.secret,
        queueMessagesMax: this.queueMessagesMax,
        ...(this.ca === undefined ? {} : { ca: this.ca }),
        log: this.log,
        unreachable: () => this.unreachableHandler?.(id),
        reachable: () => this.reachableHandler?.(id),
      });
      if (this.closed) void link.close();
      this.links.set(id, link);
    }
  }

  send(messages: readonly Message[]): void {
    if (messages.length === 1) {
      const link = this.links.get(messages[0].to);
      if (link === undefined) this.unroutable++;
      else {
        link.enqueue(messages[0]);
        link.kick();
      }
      return;
    }
    const touched = new Set<PeerLink>();
    for (const m of messages) {
      const link = this.links.get(m.to);
      if (link === undefined) {
        this.unroutable++;
        continue;
      }
      link.enqueue(m);
      touched.add(link);
    }
    for (const link of touched) link.kick();
  }

  onReceive(handler: ReceiveHandler): void {
    this.handler = handler;
  }

  onPeerUnreachable(handler: PeerUnreachableHandler): void {
    this.unreachableHandler = handler;
  }

  onPeerReachable(handler: PeerReachableHandler): void {
    this.reachableHandler = handler;
  }

  connect(): void {
    for (const link of this.links.values()) link.connectEagerly();
  }

  stats(): Record<NodeId, PeerStats> {
    const out: Record<NodeId, PeerStats> = {};
    for (const [id, link] of this.links) out[id] = link.stats();
    return out;
  }

  /** Counters of the receiving side. */
  inboundStats(): InboundStats {
    return {
      connections: this.inbound.size,
      refused: this.refused,
      invalidFrames: this.invalidFrames,
      unroutable: this.unroutable,
      lastRefusal: this.lastRefusal,
    };
  }

  /**
   * Handles an HTTP 'upgrade' event. Returns false (touching nothing) when the path is not
   * `/_raft`, so the node's HTTP layer can refuse it; otherwise accepts the peer connection or
   * answers the JSON error (400 PEER_PROTOCOL_MISMATCH, 401 PEER_UNAUTHORIZED, 404 UNKNOWN_NODE,
   * 503 SHUTTING_DOWN) and closes the socket. Never throws.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const path = (req.url ?? '').split('?', 1)[0];
    if (path !== PEER_UPGRADE_PATH) return false;
    socket.on('error', () => socket.destroy());
    if (this.closed) {
      refuseUpgrade(socket, new LogClusterError('SHUTTING_DOWN', `Node ${this.id} is shutting down`));
      return true;
    }
    const from = checkHandshake(req, this.expectation);
    if (isLogClusterError(from)) {
      this.refuse(`refused peer upgrade: ${from.code}: ${from.message}`);
      refuseUpgrade(socket, from);
      return true;
    }
    this.inbound.get(from)?.destroy();
    this.inbound.set(from, socket);
    acceptUpgrade(socket, this.id);
    this.receiveFrom(from, socket, head);
    return true;
  }

  private refuse(reason: string): void {
    this.refused++;
    this.lastRefusal = reason;
    this.log(reason);
  }

  private receiveFrom(peer: NodeId, socket: Duplex, head: Buffer): void {
    const reader = new FrameReader();
    const tcp = socket as Duplex & {
      setNoDelay?(on: boolean): void;
      setTimeout?(ms: number, cb: () => void): void;
    };
    tcp.setNoDelay?.(true);
    tcp.setTimeout?.(PEER_INBOUND_IDLE_TIMEOUT_MS, () => socket.destroy());
    const onData = (chunk: Buffer): void => {
      if (socket.destroyed) return;
      let batches: Message[][];
      try {
        batches = reader.push(chunk).map((body) => this.checkBatch(peer, decodeFrameBody(body)));
      } catch (error) {
        if (!isLogClusterError(error)) throw error;
        this.invalidFrames++;
        this.lastRefusal = `closed the connection from ${peer}: ${error.message}`;
        this.log(this.lastRefusal);
        socket.destroy();
        return;
      }
      const link = this.links.get(peer);
      for (const batch of batches) {
        if (batch.length === 0) continue;
        if (link !== undefined) link.received += batch.length;
        // Outside the try: a throwing handler is a bug in the node and must crash, not close a socket.
        this.handler?.(batch);
      }
    };
    socket.on('data', onData);
    socket.on('end', () => socket.destroy());
    socket.on('close', () => {
      if (this.inbound.get(peer) === socket) this.inbound.delete(peer);
    });
    if (head.length > 0) onData(head);
  }

  /** Every message on a peer's connection must be from that peer and to this node. */
  private checkBatch(peer: NodeId, messages: Message[]): Message[] {
    for (const m of messages) {
      if (m.from !== peer || m.to !== this.id) {
        throw new LogClusterError(
          'PEER_FRAME_INVALID',
          `The peer frame is malformed: a message from ${m.from} to ${m.to} on the connection from ${peer}`,
        );
      }
    }
    return messages;
  }

  /** Stops sending and receiving; resolves once every outgoing socket is closed. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.keepaliveTimer);
    for (const socket of this.inbound.values()) socket.destroy();
    this.inbound.clear();
    await Promise.all([...this.links.values()].map((link) => link.close()));
  }
}
