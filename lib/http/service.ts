/**
 * What the HTTP layer needs from a node. StorageNode implements it; the HTTP layer knows nothing
 * of Raft, storage or peers. Every method reports expected failures by throwing LogClusterError
 * (NOT_LEADER, NO_QUORUM, OUTCOME_UNKNOWN, ...), whose status and hints the HTTP layer turns into
 * API.md's error shape as they are; anything else becomes a 500 INTERNAL.
 */

import type { ErrorCode } from '../errors.js';
import type { EntryRef, LogRecord } from '../node/entries/record.js';
import type { ValidEntry } from '../node/entries/validate.js';
import type { StreamSink, Subscription } from '../node/live-feed.js';
import type { LogFilter, LogQuery, QueryPage } from '../node/log-query.js';

export type { EntryRef, LogFilter, LogQuery, LogRecord, QueryPage, StreamSink, Subscription, ValidEntry };

/** Read consistency (API.md "Reading"): `linearizable` is the default. */
export type ReadConsistency = 'linearizable' | 'leader' | 'local';

/** The accepted read consistency names, default first. */
export const READ_CONSISTENCIES: readonly ReadConsistency[] = ['linearizable', 'leader', 'local'];

/** One acknowledged entry: committed on a majority of voters, fsynced, applied. */
export interface WriteResult {
  readonly file_path: string;
  readonly id: string;
  readonly index: number;
  readonly term: number;
  readonly leader_id: string | null;
  /** Voters known to hold the entry when it was acknowledged (the leader included). */
  readonly replicas: number;
  /** True when the id was already stored: index/term/file_path are the first copy's. */
  readonly duplicate: boolean;
}

/** The seed's counters, kept for its clients and dashboard. */
export interface NodeCounters {
  readonly writes: number;
  readonly reads: number;
  readonly replications_received: number;
  /** ISO-8601. */
  readonly start_time: string;
}

/** GET /health (API.md "Watching"). `unhealthy` is answered with HTTP 503. */
export interface HealthReport {
  readonly status: 'healthy' | 'degraded' | 'unhealthy';
  /** Why the node is degraded or cannot serve; required when unhealthy. */
  readonly reason?: string;
  /** The stable code of the reason (NO_LEADER, NOT_READY, DISK_FULL, ...); default NOT_READY. */
  readonly code?: ErrorCode;
  readonly node_id: string;
  readonly role: string;
  readonly term: number;
  readonly leader_id: string | null;
  readonly commit_index: number;
  readonly applied_index: number;
  /** Seconds since the node started. */
  readonly uptime: number;
  readonly stats: NodeCounters;
  readonly [extra: string]: unknown;
}

/** GET /stats body (without `success`): the seed's fields plus `raft` and `storage` (API.md). */
export interface StatsReport {
  readonly node_id: string;
  readonly stats: NodeCounters;
  readonly [section: string]: unknown;
}

/** GET /cluster body (without `success`): leader, term and every member as this node sees it. */
export interface ClusterReport {
  readonly leader_id: string | null;
  readonly term: number;
  readonly members: readonly Readonly<Record<string, unknown>>[];
  readonly [extra: string]: unknown;
}

/** Header a node sets when it forwards a client's write to the leader (never forwarded twice). */
export const FORWARDED_HEADER = 'x-logcluster-forwarded';

/** Where a write came from: a client, or another node forwarding it for one. */
export interface RequestOrigin {
  readonly forwarded?: boolean;
}

/** The node behind the HTTP API. Methods may return values or promises. */
export interface NodeService {
  /** Stores a batch (one consensus round); resolves when every entry is acknowledged, in order. */
  write(entries: readonly ValidEntry[], origin?: RequestOrigin): Promise<readonly WriteResult[]>;
  /** The verified record; throws NOT_FOUND, COMPACTED, STORAGE_CORRUPT or an availability code. */
  read(ref: EntryRef, consistency: ReadConsistency): LogRecord | Promise<LogRecord>;
  /** One page of committed entries. */
  query(query: LogQuery, consistency: ReadConsistency): QueryPage | Promise<QueryPage>;
  /**
   * Streams matching committed entries with index > afterIndex (null: from now on) to `sink`, in
   * order, already applied ones first, until closed. The HTTP layer pages through `query` before
   * subscribing, so the catch-up left to the service is small.
   */
  subscribe(filter: LogFilter, afterIndex: number | null, sink: StreamSink): Subscription;
  health(): HealthReport | Promise<HealthReport>;
  stats(): StatsReport | Promise<StatsReport>;
  cluster(): ClusterReport | Promise<ClusterReport>;
  /** Prometheus text exposition (0.0.4) of the node's metrics; the HTTP layer appends its own. */
  metrics(): string | Promise<string>;
  /** The dashboard page (HTML); GET /dashboard answers ROUTE_NOT_FOUND when absent. */
  dashboard?(): string | Promise<string>;
}
