/**
 * The client's view of API.md: what goes into a write and a query, and what comes back. Fields
 * keep the API's snake_case names so a result can be passed on as the node sent it.
 */

/** Log levels, lowest first. `warning` is accepted on input as `warn`. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** Read consistency of API.md: quorum-confirmed (default), leader-local, or this node's applied state. */
export type ReadConsistency = 'linearizable' | 'leader' | 'local';

/** One log entry to write. Unknown top-level fields are kept by the node in `original_data`. */
export interface LogEntryInput {
  readonly message: string;
  readonly level?: LogLevel | 'warning';
  readonly source?: string;
  /** ISO-8601 or epoch ms; default: the leader's clock when it accepts. */
  readonly timestamp?: string | number;
  readonly labels?: Readonly<Record<string, string>>;
  /** Idempotency key; the client generates one (a UUID) when absent, before the first attempt. */
  readonly id?: string;
  readonly [field: string]: unknown;
}

/** The reply to one acknowledged write (fsynced on a majority and committed). */
export interface WriteResult {
  readonly success: true;
  readonly file_path: string;
  readonly id: string;
  readonly index: number;
  readonly term: number;
  readonly leader_id: string;
  readonly replicas: number;
  /** True when an entry with this id was already stored: this is the first write's reply. */
  readonly duplicate: boolean;
  readonly [field: string]: unknown;
}

/** Per-write options. */
export interface WriteOptions {
  /** Per-attempt timeout for this call (default: the client's timeoutMs). */
  readonly timeoutMs?: number;
}

/** A stored entry as /read, /logs and /logs/stream return it. */
export interface LogRecord {
  readonly file_path: string;
  readonly id: string;
  readonly index: number;
  readonly term: number;
  readonly timestamp: string;
  readonly node_id: string;
  readonly original_data: {
    readonly message: string;
    readonly level: LogLevel;
    readonly source: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly [field: string]: unknown;
  };
  readonly checksum: string;
  readonly [field: string]: unknown;
}

/** Options of read(). */
export interface ReadOptions {
  readonly consistency?: ReadConsistency;
}

/** The filters of `GET /logs` and `GET /logs/stream`. */
export interface LogQuery {
  /** One level or several (sent as a comma list). */
  readonly level?: LogLevel | readonly LogLevel[];
  readonly min_level?: LogLevel;
  readonly source?: string;
  /** ISO-8601, epoch ms, a Date, or relative like `15m`. */
  readonly since?: string | number | Date;
  readonly until?: string | number | Date;
  /** Substring of the message. */
  readonly contains?: string;
  /** Sent as `label.<key>=<value>`; all must match. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Index cursor, exclusive. */
  readonly after?: number;
  readonly limit?: number;
  readonly order?: 'asc' | 'desc';
  readonly consistency?: ReadConsistency;
}

/** The reply of `GET /logs`. `next_after` continues the query (null at the end). */
export interface QueryResult {
  readonly success: true;
  readonly entries: readonly LogRecord[];
  readonly next_after: number | null;
  readonly [field: string]: unknown;
}

/** Options of stream(). */
export interface StreamOptions {
  /** Resume after this index (sent as Last-Event-ID). */
  readonly lastEventId?: number | string;
  /** Ends the iteration (quietly) when aborted. */
  readonly signal?: AbortSignal;
}

/** `GET /health`: 200 when the node can serve, 503 (same shape) when it cannot. */
export interface HealthReport {
  readonly success: boolean;
  readonly status: 'healthy' | 'degraded' | 'unhealthy';
  readonly node_id: string;
  readonly role: string;
  readonly term: number;
  readonly leader_id: string | null;
  readonly commit_index: number;
  readonly applied_index: number;
  readonly [field: string]: unknown;
}

/** `GET /stats` (see API.md "Watching"). */
export interface StatsReport {
  readonly success: boolean;
  readonly node_id: string;
  readonly stats: Readonly<Record<string, unknown>>;
  readonly [field: string]: unknown;
}

/** One member in `GET /cluster`. */
export interface ClusterMember {
  readonly id: string;
  readonly url: string;
  readonly role?: string;
  readonly [field: string]: unknown;
}

/** `GET /cluster`: the cluster as the answering node sees it. */
export interface ClusterReport {
  readonly success: boolean;
  readonly leader_id?: string | null;
  readonly term?: number;
  readonly members?: readonly ClusterMember[];
  readonly [field: string]: unknown;
}
