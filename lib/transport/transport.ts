/**
 * How Raft messages move between nodes. One interface, three implementations: the real network
 * (http-transport.ts), an in-process hub (memory-transport.ts) and a fault-injecting wrapper
 * (fault-filter.ts). The node drives any of them the same way.
 */
import type { Message, NodeId } from '../consensus/types.js';

/**
 * Messages held per peer while its connection is down or busy. Raft retransmits anything lost
 * (heartbeats every tick, appends on every response), so dropping beyond this bound costs only a
 * retry, while an unbounded queue to a dead peer would grow until the process ran out of memory.
 * 4096 messages covers several seconds of a busy leader's traffic to one follower.
 */
export const PEER_QUEUE_MESSAGES_MAX = 4096;

/** What a transport can say about one peer, for /stats and tests. Counters only grow. */
export interface PeerStats {
  /** Messages waiting to be written to this peer now. */
  readonly queued: number;
  /** Messages handed to the connection (written to the socket, or delivered by the hub). */
  readonly sent: number;
  /** Messages dropped: queue full, peer unreachable, message too large, or filtered by a fault. */
  readonly dropped: number;
  /** Messages received from this peer. */
  readonly received: number;
  /** True while an outgoing connection to this peer is established. */
  readonly connected: boolean;
  /** The most recent failure talking to this peer (never contains the cluster secret), or null. */
  readonly lastError: string | null;
}

/** Receives every batch of messages that arrives for this node, in arrival order per peer. */
export type ReceiveHandler = (messages: readonly Message[]) => void;

/**
 * Told that nothing listens at `peer`'s address any more (its connection closed and a reconnect
 * was refused): the peer's process is gone, as after a kill. A hint, never proof of the reverse.
 */
export type PeerUnreachableHandler = (peer: NodeId) => void;

/** Told that a connection to `peer` opened: it is up and listening. */
export type PeerReachableHandler = (peer: NodeId) => void;

/**
 * A node's link to its peers.
 *
 * Contract:
 * - `send` never blocks and never throws for network reasons: each message goes to the bounded
 *   queue of the peer named by `message.to` (PEER_QUEUE_MESSAGES_MAX); when that queue is full,
 *   or the peer is unknown or unreachable, the message is dropped and counted. Delivery is at
 *   most once and in order per peer; Raft tolerates loss.
 * - `onReceive` sets the one handler for inbound batches (a later call replaces it). Batches that
 *   arrive before a handler is set are dropped.
 * - `close` stops sending and receiving, releases every socket and timer, and resolves when done.
 *   Sends after close are dropped.
 */
export interface Transport {
  send(messages: readonly Message[]): void;
  onReceive(handler: ReceiveHandler): void;
  /** Optional: sets the one handler for PeerUnreachableHandler reports (a later call replaces it). */
  onPeerUnreachable?(handler: PeerUnreachableHandler): void;
  /** Optional: sets the one handler for PeerReachableHandler reports (a later call replaces it). */
  onPeerReachable?(handler: PeerReachableHandler): void;
  /** Optional: connects to every peer now, retrying until each connection opens once. */
  connect?(): void;
  close(): Promise<void>;
  /** Per-peer counters, keyed by peer id. */
  stats(): Record<NodeId, PeerStats>;
}
