/**
 * One node's persistent outgoing connection to one peer: a bounded queue, an HTTP Upgrade
 * handshake, frames that coalesce everything queued while the socket was busy, reconnects with
 * bounded backoff, and timeouts on connect and on stalled writes. Never throws at its caller.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { Duplex } from 'node:stream';
import type { Message, NodeId } from '../consensus/types.js';
import { backoffDelayMs } from './backoff.js';
import { encodedMessageBytes, encodeFrame, FRAME_BYTES_MAX, FRAME_OVERHEAD_BYTES } from './codec.js';
import { handshakeHeaders, PEER_UPGRADE_PATH, PEER_UPGRADE_PROTOCOL } from './handshake.js';
import { PeerQueue } from './peer-queue.js';
import type { PeerStats } from './transport.js';

/** Handshake deadline: a LAN handshake takes milliseconds; 2 s tolerates a loaded peer yet frees the link to retry well within a few election timeouts. */
export const PEER_CONNECT_TIMEOUT_MS = 2000;
/** First reconnect delay after a failure: short, because a restarted peer is usually back at once. */
export const PEER_RECONNECT_BASE_MS = 50;
/** Longest reconnect delay: a peer that comes back is reached again within about two election timeouts. */
export const PEER_RECONNECT_MAX_MS = 1000;
/** Bytes the socket may hold unsent before the link stops encoding; the rest waits in the bounded queue. */
export const PEER_SOCKET_BUFFER_BYTES_MAX = 1024 * 1024;
/** A socket waiting to drain that completes no write for this long (plus time for its pending bytes) is dead: reconnect. */
export const PEER_WRITE_TIMEOUT_MS = 5000;
/** The slowest peer link assumed when extending the write deadline for pending bytes (1 MiB/s). */
export const PEER_WRITE_RATE_MIN_BYTES_PER_S = 1024 * 1024;
/** An idle link sends an empty frame this often, so the receiver's idle timeout never fires on a live link. */
export const PEER_KEEPALIVE_INTERVAL_MS = 1000;
/** TCP keepalive probe delay: detects a peer host that vanished while the link was idle. */
export const PEER_TCP_KEEPALIVE_MS = 5000;
/** Most bytes of a refusal body read: enough for the JSON error, not a stream from a confused server. */
export const PEER_REFUSAL_BYTES_MAX = 4096;
/** How long close() waits for a graceful FIN before destroying the socket. */
export const PEER_CLOSE_TIMEOUT_MS = 1000;

/** What a link needs to know. */
export interface PeerLinkConfig {
  readonly self: NodeId;
  readonly peer: NodeId;
  readonly url: URL;
  readonly clusterId: string;
  readonly secret: string | null;
  readonly queueMessagesMax: number;
  /** Extra trusted CA certificates (PEM) for https peers. */
  readonly ca?: string;
  readonly log: (line: string) => void;
  /** Nothing listens at the peer's address (a connect was refused): its process is gone. */
  readonly unreachable?: () => void;
  /** The handshake succeeded: the peer is up and takes our messages. */
  readonly reachable?: () => void;
}

type LinkState = 'idle' | 'connecting' | 'open' | 'backoff' | 'closed';

/** The outgoing half of a peer connection. */
export class PeerLink {
  private readonly queue: PeerQueue;
  private state: LinkState = 'idle';
  private request: http.ClientRequest | null = null;
  private socket: Duplex | null = null;
  private failures = 0;
  private timer: NodeJS.Timeout | null = null;
  private writeTimer: NodeJS.Timeout | null = null;
  /** A frame was written in this turn of the event loop: sends wait for the next one. */
  private flushHeld = false;
  private lastWriteMs = 0;
  private sent = 0;
  private dropped = 0;
  /** Messages received from this peer (counted by the inbound side). */
  received = 0;
  private lastError: string | null = null;
  /** An open connection was lost: reconnect once even with nothing queued, to learn whether the peer is gone. */
  private probe = false;
  /** connectEagerly() was called: keep reconnecting (with backoff) until one connection opens. */
  private eager = false;

  constructor(private readonly config: PeerLinkConfig) {
    this.queue = new PeerQueue(config.queueMessagesMax);
  }

  /** The peer's base URL. */
  get url(): URL {
    return this.config.url;
  }

  /** Queues `m` (or drops it when the queue is full or the link closed). Call kick() after a batch. */
  enqueue(m: Message): void {
    if (this.state === 'closed' || !this.queue.push(m)) this.dropped++;
  }

  /**
   * Starts a connection, or writes what is queued. The first send of an event-loop turn is
   * written at once: a Ready's messages come in one call (one frame per peer already), and a
   * leader's appends should leave before its own log write, a follower's acks before it applies.
   * Later sends of the same turn wait for the next one and share a frame.
   */
  kick(): void {
    if (this.queue.length === 0) return;
    if (this.state === 'idle') this.connect();
    else if (this.state === 'open') this.flushSoon();
  }

  /**
   * Opens the connection now, with nothing to send, and keeps retrying with the usual backoff
   * until it opens once: a starting node learns which peers are up (PeerLinkConfig.reachable)
   * before its first election timeout.
   */
  connectEagerly(): void {
    if (this.state === 'closed') return;
    this.eager = true;
    if (this.state === 'idle') this.connect();
  }

  stats(): PeerStats {
    return {
      queued: this.queue.length,
      sent: this.sent,
      dropped: this.dropped,
      received: this.received,
      connected: this.state === 'open',
      lastError: this.lastError,
    };
  }

  /** Sends an empty frame when the link has been quiet for PEER_KEEPALIVE_INTERVAL_MS. */
  keepalive(nowMs: number): void {
    if (this.state !== 'open' || this.queue.length > 0) return;
    if (nowMs - this.lastWriteMs < PEER_KEEPALIVE_INTERVAL_MS) return;
    const socket = this.socket!;
    if (socket.writableLength > 0) return;
    socket.write(encodeFrame([]));
    this.lastWriteMs = nowMs;
  }

  private connect(): void {
    this.state = 'connecting';
    const { url, self, peer, clusterId, secret } = this.config;
    const request = (url.protocol === 'https:' ? https : http).request({
      hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'), // IPv6 literals come bracketed
      port: url.port,
      path: PEER_UPGRADE_PATH,
      method: 'GET',
      agent: false,
      ...(this.config.ca === undefined ? {} : { ca: this.config.ca }),
      headers: handshakeHeaders({ from: self, to: peer, clusterId, secret }),
    });
    this.request = request;
    this.timer = setTimeout(() => {
      request.destroy(new Error(`handshake timed out after ${PEER_CONNECT_TIMEOUT_MS} ms`));
    }, PEER_CONNECT_TIMEOUT_MS);
    request.on('upgrade', (response, socket) => {
      if (this.request !== request) return void socket.destroy();
      if (response.headers.upgrade?.toLowerCase() !== PEER_UPGRADE_PROTOCOL) {
        socket.destroy();
        return this.fail(`peer answered the upgrade with ${String(response.headers.upgrade)}`);
      }
      this.open(socket);
    });
    request.on('response', (response) => this.refused(request, response));
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (this.request !== request) return;
      this.fail(error.message);
      if (error.code === 'ECONNREFUSED') this.config.unreachable?.();
    });
    request.end();
  }

  private refused(request: http.ClientRequest, response: http.IncomingMessage): void {
    const chunks: Buffer[] = [];
    let bytes = 0;
    response.on('data', (chunk: Buffer) => {
      if (bytes < PEER_REFUSAL_BYTES_MAX) chunks.push(chunk);
      bytes += chunk.length;
    });
    const done = (): void => {
      if (this.request !== request) return;
      const text = Buffer.concat(chunks).subarray(0, PEER_REFUSAL_BYTES_MAX).toString('utf8');
      let reason = `peer refused the connection with HTTP ${response.statusCode}`;
      try {
        const body = JSON.parse(text) as { code?: unknown; error?: unknown };
        if (typeof body.code === 'string')
          reason = `${body.code}: ${String(body.error)} (HTTP ${response.statusCode})`;
      } catch {
        // not the API's JSON error body: the status alone says enough
      }
      request.destroy();
      this.fail(reason);
    };
    response.on('end', done);
    response.on('error', done);
  }

  private open(socket: Duplex): void {
    this.clearTimer();
    this.request = null;
    this.socket = socket;
    this.state = 'open';
    this.failures = 0;
    this.lastWriteMs = Date.now();
    const tcp = socket as Duplex & {
      setNoDelay?(on: boolean): void;
      setKeepAlive?(on: boolean, ms: number): void;
    };
    tcp.setNoDelay?.(true);
    tcp.setKeepAlive?.(true, PEER_TCP_KEEPALIVE_MS);
    socket.on('drain', () => {
      this.clearWriteTimer();
      this.flush();
    });
    socket.on('error', (error) => this.lost(socket, error.message));
    socket.on('close', () => this.lost(socket, 'connection closed by the peer'));
    socket.on('end', () => this.lost(socket, 'connection ended by the peer'));
    // The receiver never writes after 101; reading keeps 'end' observable.
    socket.resume();
    this.eager = false;
    this.config.log(`peer ${this.config.peer}: connected`);
    this.flush();
    this.config.reachable?.();
  }

  private lost(socket: Duplex, reason: string): void {
    if (this.socket !== socket || this.state !== 'open') return;
    socket.destroy();
    this.probe = true;
    this.fail(reason);
  }

  /** A failed or lost connection: drop what is queued (Raft retransmits) and back off. */
  private fail(reason: string): void {
    if (this.state === 'closed') return;
    this.clearTimer();
    this.clearWriteTimer();
    this.request?.destroy();
    this.request = null;
    this.socket?.destroy();
    this.socket = null;
    this.lastError = reason;
    this.dropped += this.queue.clear();
    this.failures++;
    this.state = 'backoff';
    const delayMs = backoffDelayMs(this.failures, PEER_RECONNECT_BASE_MS, PEER_RECONNECT_MAX_MS);
    this.config.log(`peer ${this.config.peer}: ${reason}; reconnecting in ${delayMs} ms`);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.state = 'idle';
      const probe = this.probe;
      this.probe = false;
      if (probe || this.eager) this.connect();
      else this.kick();
    }, delayMs);
  }

  private flushSoon(): void {
    if (this.flushHeld) return;
    this.flush();
    this.flushHeld = true;
    setImmediate(() => {
      this.flushHeld = false;
      this.flush();
    });
  }

  /** Writes queued messages as frames while the socket buffer is under its bound. */
  private flush(): void {
    if (this.state !== 'open') return;
    const socket = this.socket!;
    socket.cork();
    while (this.queue.length > 0 && socket.writableLength < PEER_SOCKET_BUFFER_BYTES_MAX) {
      const batch = this.nextBatch();
      if (batch.length === 0) continue;
      socket.write(encodeFrame(batch));
      this.sent += batch.length;
    }
    socket.uncork();
    this.lastWriteMs = Date.now();
    if (socket.writableNeedDrain && this.writeTimer === null) this.watchWrites(socket);
  }

  /**
   * Armed while the socket waits for 'drain'. The deadline grows with the bytes pending (at
   * PEER_WRITE_RATE_MIN_BYTES_PER_S) so a big snapshot on a thin link is not mistaken for a dead
   * peer; when it passes with no write completed, the peer stopped reading: reconnect.
   */
  private watchWrites(socket: Duplex): void {
    const pendingBytes = socket.writableLength;
    const deadlineMs =
      PEER_WRITE_TIMEOUT_MS + Math.ceil((pendingBytes * 1000) / PEER_WRITE_RATE_MIN_BYTES_PER_S);
    this.writeTimer = setTimeout(() => {
      this.writeTimer = null;
      if (this.socket !== socket || !socket.writableNeedDrain) return;
      if (socket.writableLength < pendingBytes) this.watchWrites(socket);
      else this.lost(socket, `no write completed for ${deadlineMs} ms`);
    }, deadlineMs);
  }

  /** The longest queue prefix that fits one frame; a message too large for any frame is dropped. */
  private nextBatch(): Message[] {
    const batch: Message[] = [];
    let bytes = FRAME_OVERHEAD_BYTES;
    for (let m = this.queue.peek(); m !== undefined; m = this.queue.peek()) {
      const size = encodedMessageBytes(m);
      if (bytes + size <= FRAME_BYTES_MAX) {
        batch.push(m);
        bytes += size;
        this.queue.shift();
      } else if (batch.length === 0) {
        this.queue.shift();
        this.dropped++;
        this.lastError = `a ${m.type} message of ${size} bytes exceeds FRAME_BYTES_MAX (${FRAME_BYTES_MAX})`;
        return batch;
      } else {
        break;
      }
    }
    return batch;
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private clearWriteTimer(): void {
    if (this.writeTimer !== null) clearTimeout(this.writeTimer);
    this.writeTimer = null;
  }

  /** Stops the link: drops the queue, ends the socket gracefully (bounded), resolves when gone. */
  close(): Promise<void> {
    if (this.state === 'closed') return Promise.resolve();
    this.state = 'closed';
    this.clearTimer();
    this.clearWriteTimer();
    this.dropped += this.queue.clear();
    this.request?.destroy();
    this.request = null;
    const socket = this.socket;
    this.socket = null;
    if (socket === null || socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => socket.destroy(), PEER_CLOSE_TIMEOUT_MS);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.end();
    });
  }
}
