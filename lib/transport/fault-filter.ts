/**
 * Fault injection over any Transport, for tests and for ClusterManager's `isolate`: drop what a
 * node sends to some peers, drop what it receives from some peers (one-way or both ways), or cut
 * it off entirely. With no fault set, send and receive pass straight through (one branch each).
 */
import type { Message, NodeId } from '../consensus/types.js';
import type {
  PeerReachableHandler,
  PeerStats,
  PeerUnreachableHandler,
  ReceiveHandler,
  Transport,
} from './transport.js';

/** The faults in force. */
export interface Faults {
  /** Peers whose messages from this node are dropped. */
  readonly outbound: readonly NodeId[];
  /** Peers whose messages to this node are dropped. */
  readonly inbound: readonly NodeId[];
  /** True when every message in and out is dropped. */
  readonly isolated: boolean;
}

/** A Transport that forwards to `inner` except where a fault says drop. */
export class FaultFilter implements Transport {
  private readonly outbound = new Set<NodeId>();
  private readonly inbound = new Set<NodeId>();
  private isolated = false;
  /** True when any fault is set; the only check on the unfaulted path. */
  private active = false;
  private readonly droppedOut = new Map<NodeId, number>();
  private readonly droppedIn = new Map<NodeId, number>();

  constructor(readonly inner: Transport) {}

  send(messages: readonly Message[]): void {
    if (!this.active) {
      this.inner.send(messages);
      return;
    }
    const pass: Message[] = [];
    for (const m of messages) {
      if (this.isolated || this.outbound.has(m.to)) bump(this.droppedOut, m.to);
      else pass.push(m);
    }
    if (pass.length > 0) this.inner.send(pass);
  }

  onReceive(handler: ReceiveHandler): void {
    this.inner.onReceive((messages) => {
      if (!this.active) {
        handler(messages);
        return;
      }
      const pass: Message[] = [];
      for (const m of messages) {
        if (this.isolated || this.inbound.has(m.from)) bump(this.droppedIn, m.from);
        else pass.push(m);
      }
      if (pass.length > 0) handler(pass);
    });
  }

  /** Passes the inner transport's reports on (a fault drops messages, it does not close connections). */
  onPeerUnreachable(handler: PeerUnreachableHandler): void {
    this.inner.onPeerUnreachable?.(handler);
  }

  /** Passes the inner transport's reports on (connections open whatever the filter drops). */
  onPeerReachable(handler: PeerReachableHandler): void {
    this.inner.onPeerReachable?.(handler);
  }

  connect(): void {
    this.inner.connect?.();
  }

  /** Drops messages this node sends to `peers` (one way: their messages still arrive). */
  blockOutbound(...peers: NodeId[]): void {
    for (const peer of peers) this.outbound.add(peer);
    this.update();
  }

  /** Drops messages this node receives from `peers` (one way: its messages still reach them). */
  blockInbound(...peers: NodeId[]): void {
    for (const peer of peers) this.inbound.add(peer);
    this.update();
  }

  /** Drops traffic both ways between this node and `peers`: a symmetric partition. */
  block(...peers: NodeId[]): void {
    this.blockOutbound(...peers);
    this.blockInbound(...peers);
  }

  /** Drops every message in and out: this node is cut off from all peers. */
  isolate(): void {
    this.isolated = true;
    this.update();
  }

  /** With no argument: removes every fault. With peers: unblocks them both ways (isolation stays). */
  heal(...peers: NodeId[]): void {
    if (peers.length === 0) {
      this.outbound.clear();
      this.inbound.clear();
      this.isolated = false;
    } else {
      for (const peer of peers) {
        this.outbound.delete(peer);
        this.inbound.delete(peer);
      }
    }
    this.update();
  }

  /** The faults in force now. */
  faults(): Faults {
    return { outbound: [...this.outbound], inbound: [...this.inbound], isolated: this.isolated };
  }

  /** The inner transport's stats, with messages the filter dropped (either way) added to `dropped`. */
  stats(): Record<NodeId, PeerStats> {
    const stats = this.inner.stats();
    for (const [peer, count] of [...this.droppedOut, ...this.droppedIn]) {
      const base = stats[peer] ?? {
        queued: 0,
        sent: 0,
        dropped: 0,
        received: 0,
        connected: false,
        lastError: null,
      };
      stats[peer] = { ...base, dropped: base.dropped + count };
    }
    return stats;
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private update(): void {
    this.active = this.isolated || this.outbound.size > 0 || this.inbound.size > 0;
  }
}

function bump(counts: Map<NodeId, number>, peer: NodeId): void {
  counts.set(peer, (counts.get(peer) ?? 0) + 1);
}
