/**
 * The leader's queue of ReadIndex requests awaiting a quorum of heartbeat acks (Raft thesis
 * §6.4). Each request records the commit index when it arrived; an ack to the heartbeat carrying
 * a later request's context also confirms every earlier one (leadership was confirmed after they
 * arrived), so a quorum for one request releases it and all requests before it, in order.
 */
import type { NodeId } from './types.js';

/** One read waiting for its leadership confirmation. */
export interface PendingRead {
  readonly context: string;
  /** The leader's commit index when the request arrived: the read point. */
  readonly index: number;
  /** Who asked: the leader itself or a follower that forwarded it. */
  readonly from: NodeId;
  /** Voters (and the leader) that acked a heartbeat carrying this context. */
  readonly acks: Set<NodeId>;
}

/** FIFO of pending reads, indexed by context. */
export class ReadOnlyQueue {
  private queue: PendingRead[] = [];
  private readonly byContext = new Map<string, PendingRead>();

  get size(): number {
    return this.queue.length;
  }

  has(context: string): boolean {
    return this.byContext.has(context);
  }

  add(context: string, index: number, from: NodeId): PendingRead {
    const read: PendingRead = { context, index, from, acks: new Set() };
    this.queue.push(read);
    this.byContext.set(context, read);
    return read;
  }

  /** Records an ack of `context` by `from`; the read, or undefined if unknown (already released). */
  ack(context: string, from: NodeId): PendingRead | undefined {
    const read = this.byContext.get(context);
    read?.acks.add(from);
    return read;
  }

  /** Removes and returns `context`'s read and every read queued before it. */
  releaseThrough(context: string): PendingRead[] {
    const at = this.queue.findIndex((r) => r.context === context);
    if (at < 0) return [];
    const released = this.queue.slice(0, at + 1);
    this.queue = this.queue.slice(at + 1);
    for (const r of released) this.byContext.delete(r.context);
    return released;
  }

  /** The newest context (carried by periodic heartbeats so a lost round is retried), or ''. */
  lastContext(): string {
    return this.queue.at(-1)?.context ?? '';
  }

  /** Removes and returns everything (leadership lost). */
  drain(): PendingRead[] {
    const all = this.queue;
    this.queue = [];
    this.byContext.clear();
    return all;
  }
}
