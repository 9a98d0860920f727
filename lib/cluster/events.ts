/**
 * The typed events a ClusterManager (and its health monitor) emits. Listeners get one object
 * argument; every event carries the wall-clock time it was noticed.
 */
import type { EventEmitter } from 'node:events';

/** Why a node is considered down. */
export type NodeDownReason =
  /** Connection refused or reset: the process is gone or not listening. */
  | 'unreachable'
  /** No answer within the health timeout: paused (SIGSTOP), hung or overloaded. */
  | 'timeout'
  /** Answers, but cannot serve while the rest of the cluster has a leader: cut off from its peers. */
  | 'isolated'
  /** Still claims leadership of an older term than the cluster's leader. */
  | 'stale-leader'
  /** The manager broke it on purpose (kill, pause, isolate) or stopped it. */
  | 'killed'
  | 'paused'
  | 'exited';

/** A node stopped serving. */
export interface NodeDownEvent {
  readonly id: string;
  readonly reason: NodeDownReason;
  readonly detail: string;
  readonly at: number;
}

/** A node serves again (or for the first time). */
export interface NodeUpEvent {
  readonly id: string;
  readonly role: string;
  readonly term: number;
  readonly at: number;
}

/** The cluster's leader changed; `leaderId` null while none is known (an election is running). */
export interface LeaderChangeEvent {
  readonly leaderId: string | null;
  readonly previousLeaderId: string | null;
  readonly term: number;
  readonly at: number;
}

/** Some nodes are down; `quorum` says whether enough voters are up to accept writes. */
export interface DegradedEvent {
  readonly down: readonly string[];
  readonly votersUp: number;
  readonly votersTotal: number;
  readonly quorum: boolean;
  readonly at: number;
}

/** Every node is up again after a degraded period. */
export interface HealthyEvent {
  readonly at: number;
}

/** Event name -> listener arguments, for `EventEmitter<ClusterEventMap>`. */
export interface ClusterEventMap {
  'node-down': [NodeDownEvent];
  'node-up': [NodeUpEvent];
  'leader-change': [LeaderChangeEvent];
  degraded: [DegradedEvent];
  healthy: [HealthyEvent];
}

/** Names of the typed events, for subscribers that forward all of them. */
export const CLUSTER_EVENTS = ['node-down', 'node-up', 'leader-change', 'degraded', 'healthy'] as const;

/** Re-emits every typed cluster event of `from` on `to` (the manager forwards its monitor's). */
export function forwardClusterEvents(
  from: EventEmitter<ClusterEventMap>,
  to: EventEmitter<ClusterEventMap>,
): void {
  const source = from as EventEmitter;
  const target = to as EventEmitter;
  for (const name of CLUSTER_EVENTS) source.on(name, (event: unknown) => target.emit(name, event));
}
