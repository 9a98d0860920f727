/**
 * The syslog listener: TCP (octet-counted and newline framing) and UDP on one port number.
 * Messages are parsed, mapped and validated like /write entries, then written in batches
 * (SYSLOG_FLUSH_INTERVAL_MS, at most BATCH_ENTRIES_MAX) through the node's write path; a batch
 * the cluster cannot take now is retried with the same ids. Bounded everywhere: at most
 * SYSLOG_CONNECTIONS_MAX connections, frames of SYSLOG_FRAME_BYTES_MAX, SYSLOG_PENDING_MAX
 * messages waiting (then TCP peers are paused and UDP datagrams dropped). Syslog has no way to
 * answer a sender, so refused input is counted in `stats` and reported through onReject.
 */

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { isLogClusterError } from '../../errors.js';
import { BATCH_ENTRIES_MAX } from '../../node/entries/limits.js';
import { type ValidEntry, validateEntry } from '../../node/entries/validate.js';
import { backoffDelayMs } from '../../transport/backoff.js';
import {
  SYSLOG_CONNECTIONS_MAX,
  SYSLOG_FLUSH_INTERVAL_MS,
  SYSLOG_PENDING_MAX,
  SYSLOG_RETRY_DELAY_MS_MAX,
} from '../limits.js';
import { SyslogFramer, SyslogFramingError } from './framing.js';
import { fromSyslog } from './map.js';
import { parseSyslog } from './parse.js';

/** How the listener is set up. */
export interface SyslogListenerOptions {
  /** Port for both TCP and UDP; 0 picks free ports (then tcpPort and udpPort differ). */
  readonly port: number;
  readonly host?: string;
  /** The node's write path: resolves when the batch is acknowledged (fsynced on a majority). */
  readonly write: (entries: readonly ValidEntry[]) => Promise<unknown>;
  /** Told about every refused message or connection (default: nothing). */
  readonly onReject?: (reason: string, peer: string) => void;
  /** How long close() lets pending messages be written. */
  readonly closeTimeoutMs?: number;
}

/** Counters since start. */
export interface SyslogStats {
  received: number;
  stored: number;
  /** Not syslog (no PRI), or not storable. */
  rejected: number;
  /** Valid but lost: UDP while full, overlong lines, pending at close after the timeout. */
  dropped: number;
  connections: number;
}

/** A running listener. */
export class SyslogListener {
  readonly stats: SyslogStats = { received: 0, stored: 0, rejected: 0, dropped: 0, connections: 0 };
  #tcp: Server | null = null;
  #udp: UdpSocket | null = null;
  readonly #sockets = new Set<Socket>();
  #pending: ValidEntry[] = [];
  #timer: NodeJS.Timeout | null = null;
  #writing: Promise<void> | null = null;
  #paused = false;
  #closing = false;
  #giveUpAt = Number.POSITIVE_INFINITY;
  tcpPort = 0;
  udpPort = 0;

  private constructor(private readonly options: SyslogListenerOptions) {}

  /** Starts listening on TCP and UDP. */
  static async start(options: SyslogListenerOptions): Promise<SyslogListener> {
    const listener = new SyslogListener(options);
    await listener.#listen();
    return listener;
  }

  async #listen(): Promise<void> {
    const host = this.options.host ?? '127.0.0.1';
    const tcp = createServer((socket) => this.#accept(socket));
    tcp.maxConnections = SYSLOG_CONNECTIONS_MAX;
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(this.options.port, host, () => {
        tcp.off('error', reject);
        resolve();
      });
    });
    this.#tcp = tcp;
    this.tcpPort = (tcp.address() as { port: number }).port;
    const udp = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(this.options.port, host, () => {
        udp.off('error', reject);
        resolve();
      });
    });
    udp.on('message', (datagram, peer) => {
      if (this.#pending.length >= SYSLOG_PENDING_MAX) {
        this.stats.dropped++;
        return;
      }
      this.#frame(datagram, `udp:${peer.address}:${peer.port}`);
    });
    this.#udp = udp;
    this.udpPort = udp.address().port;
  }

  #accept(socket: Socket): void {
    const peer = `tcp:${socket.remoteAddress}:${socket.remotePort}`;
    this.stats.connections++;
    this.#sockets.add(socket);
    if (this.#paused) socket.pause();
    const framer = new SyslogFramer();
    socket.on('data', (chunk: Buffer) => {
      let frames: Buffer[];
      try {
        frames = framer.push(chunk);
      } catch (error) {
        if (!(error instanceof SyslogFramingError)) throw error;
        this.stats.rejected++;
        this.options.onReject?.(`framing: ${error.message}; connection closed`, peer);
        socket.destroy();
        return;
      }
      for (const frame of frames) this.#frame(frame, peer);
      this.stats.dropped += framer.skipped;
      framer.skipped = 0;
    });
    socket.on('end', () => {
      for (const frame of framer.end()) this.#frame(frame, peer);
      socket.end();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.#sockets.delete(socket));
  }

  #frame(frame: Buffer, peer: string): void {
    this.stats.received++;
    const parsed = parseSyslog(frame.toString('utf8').replace(/[\r\n]+$/, ''), Date.now());
    if (!parsed.ok) {
      this.stats.rejected++;
      this.options.onReject?.(parsed.reason, peer);
      return;
    }
    let entry: ValidEntry;
    try {
      entry = validateEntry(fromSyslog(parsed.message));
    } catch (error) {
      if (!isLogClusterError(error)) throw error;
      this.stats.rejected++;
      this.options.onReject?.(error.message, peer);
      return;
    }
    this.#pending.push(entry);
    if (this.#pending.length >= SYSLOG_PENDING_MAX) this.#pause(true);
    if (this.#pending.length >= BATCH_ENTRIES_MAX) this.#kick();
    else if (this.#timer === null) this.#timer = setTimeout(() => this.#kick(), SYSLOG_FLUSH_INTERVAL_MS);
  }

  #pause(paused: boolean): void {
    if (this.#paused === paused) return;
    this.#paused = paused;
    for (const socket of this.#sockets) {
      if (paused) socket.pause();
      else socket.resume();
    }
  }

  #kick(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#writing !== null || this.#pending.length === 0) return;
    this.#writing = this.#drain().finally(() => {
      this.#writing = null;
      if (this.#pending.length > 0) this.#kick();
    });
  }

  async #drain(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending.slice(0, BATCH_ENTRIES_MAX);
      for (let attempt = 1; ; attempt++) {
        try {
          await this.options.write(batch);
          this.stats.stored += batch.length;
          break;
        } catch (error) {
          const retryable = isLogClusterError(error) && (error.status >= 500 || error.status === 429);
          if (!retryable || Date.now() >= this.#giveUpAt) {
            this.stats.dropped += batch.length;
            const why = error instanceof Error ? error.message : String(error);
            this.options.onReject?.(`${batch.length} messages not stored: ${why}`, 'cluster');
            break;
          }
          const delay = backoffDelayMs(attempt, 50, SYSLOG_RETRY_DELAY_MS_MAX);
          await new Promise((resolve) => setTimeout(resolve, Math.min(delay, this.#giveUpAt - Date.now())));
        }
      }
      this.#pending.splice(0, batch.length);
      if (this.#pending.length < SYSLOG_PENDING_MAX / 2) this.#pause(false);
    }
  }

  /** Resolves once everything received so far is written (or dropped). */
  async flush(): Promise<void> {
    while (this.#pending.length > 0 || this.#writing !== null) {
      this.#kick();
      await this.#writing;
    }
  }

  /** Stops listening, writes what is pending (at most closeTimeoutMs), closes every connection. */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    this.#udp?.close();
    const tcpClosed = new Promise<void>((resolve) =>
      this.#tcp ? this.#tcp.close(() => resolve()) : resolve(),
    );
    for (const socket of this.#sockets) socket.destroy();
    this.#giveUpAt = Date.now() + (this.options.closeTimeoutMs ?? 2_000);
    await this.flush();
    await tcpClosed;
  }
}
