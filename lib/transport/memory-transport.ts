/**
 * An in-process network: a hub that connects transports by id, for in-process clusters and tests.
 * Delivery is asynchronous (setImmediate, like real I/O: never inside the sender's call stack),
 * batched per destination, in order per pair, through the same bounded per-peer queues as the
 * real transport. Optionally every batch goes through the wire codec, so in-process clusters
 * exercise the encoding too.
 */
import type { Message, NodeId } from '../consensus/types.js';
import { LogClusterError } from '../errors.js';
import { decodeFrame, encodeFrame } from './codec.js';
import { PeerQueue } from './peer-queue.js';
import { PEER_QUEUE_MESSAGES_MAX, type PeerStats, type ReceiveHandler, type Transport } from './transport.js';

/** Options of a MemoryNetwork. */
export interface MemoryNetworkOptions {
  /** Encode and decode every batch with the wire codec (default false). */
  readonly viaCodec?: boolean;
  /** Messages queued per peer before drops (default PEER_QUEUE_MESSAGES_MAX). */
  readonly queueMessagesMax?: number;
}

/** The hub. `connect(id)` gives each node its transport. */
export class MemoryNetwork {
  readonly viaCodec: boolean;
  readonly queueMessagesMax: number;
  private readonly members = new Map<NodeId, MemoryTransport>();

  constructor(options: MemoryNetworkOptions = {}) {
    this.viaCodec = options.viaCodec ?? false;
    this.queueMessagesMax = options.queueMessagesMax ?? PEER_QUEUE_MESSAGES_MAX;
    if (!Number.isInteger(this.queueMessagesMax) || this.queueMessagesMax < 1) {
      throw new LogClusterError(
        'INVALID_OPTION',
        `option queueMessagesMax must be a positive integer (got ${JSON.stringify(options.queueMessagesMax)})`,
        { option: 'queueMessagesMax' },
      );
    }
  }

  /** A transport for node `id`. Throws INVALID_OPTION when `id` is already connected. */
  connect(id: NodeId): MemoryTransport {
    if (this.members.has(id)) {
      throw new LogClusterError('INVALID_OPTION', `node ${JSON.stringify(id)} is already connected`, {
        option: 'id',
      });
    }
    const transport = new MemoryTransport(id, this);
    this.members.set(id, transport);
    return transport;
  }

  /** The open transport of `id`, if any. */
  member(id: NodeId): MemoryTransport | undefined {
    return this.members.get(id);
  }

  /** Ids connected now. */
  ids(): NodeId[] {
    return [...this.members.keys()];
  }

  /** @internal called by MemoryTransport.close */
  leave(transport: MemoryTransport): void {
    if (this.members.get(transport.id) === transport) this.members.delete(transport.id);
  }
}

interface PeerCounters {
  queue: PeerQueue;
  sent: number;
  dropped: number;
  received: number;
}

/** One node's end of a MemoryNetwork. */
export class MemoryTransport implements Transport {
  private readonly peers = new Map<NodeId, PeerCounters>();
  private handler: ReceiveHandler | null = null;
  private deliveryScheduled = false;
  private closed = false;

  constructor(
    readonly id: NodeId,
    private readonly network: MemoryNetwork,
  ) {}

  private peer(id: NodeId): PeerCounters {
    let counters = this.peers.get(id);
    if (counters === undefined) {
      counters = { queue: new PeerQueue(this.network.queueMessagesMax), sent: 0, dropped: 0, received: 0 };
      this.peers.set(id, counters);
    }
    return counters;
  }

  send(messages: readonly Message[]): void {
    for (const m of messages) {
      const peer = this.peer(m.to);
      if (this.closed || !peer.queue.push(m)) peer.dropped++;
    }
    if (!this.closed && !this.deliveryScheduled && messages.length > 0) {
      this.deliveryScheduled = true;
      setImmediate(() => this.deliver());
    }
  }

  private deliver(): void {
    this.deliveryScheduled = false;
    if (this.closed) return;
    for (const [to, peer] of this.peers) {
      if (peer.queue.length === 0) continue;
      let batch: Message[] = [];
      for (let m = peer.queue.shift(); m !== undefined; m = peer.queue.shift()) batch.push(m);
      const target = this.network.member(to);
      if (target === undefined) {
        peer.dropped += batch.length;
        continue;
      }
      if (this.network.viaCodec) batch = decodeFrame(encodeFrame(batch));
      peer.sent += batch.length;
      target.receive(this.id, batch);
    }
  }

  /** @internal a batch from `from` arrives. */
  receive(from: NodeId, batch: readonly Message[]): void {
    this.peer(from).received += batch.length;
    this.handler?.(batch);
  }

  onReceive(handler: ReceiveHandler): void {
    this.handler = handler;
  }

  stats(): Record<NodeId, PeerStats> {
    const out: Record<NodeId, PeerStats> = {};
    const ids = new Set([...this.network.ids(), ...this.peers.keys()]);
    ids.delete(this.id);
    for (const id of ids) {
      const peer = this.peers.get(id);
      const connected = !this.closed && this.network.member(id) !== undefined;
      out[id] = {
        queued: peer?.queue.length ?? 0,
        sent: peer?.sent ?? 0,
        dropped: peer?.dropped ?? 0,
        received: peer?.received ?? 0,
        connected,
        lastError: connected ? null : `node ${id} is not connected to the network`,
      };
    }
    return out;
  }

  /** Leaves the network; queued messages are dropped. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const peer of this.peers.values()) peer.dropped += peer.queue.clear();
    this.network.leave(this);
  }
}
