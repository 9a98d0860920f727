/**
 * The node's Prometheus metrics (GET /metrics), on prom-client. Each node owns one Registry —
 * never prom-client's global default — because several nodes can live in one process (tests,
 * `start --in-process`). Events are observed where they happen (commit latency, fsync latency,
 * elections, leader changes); levels are read from the node when scraped (collect callbacks), so
 * the hot path pays one histogram observation per batch and nothing else.
 */
import { performance } from 'node:perf_hooks';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Ready } from '../consensus/index.js';
import type { NodeCore } from './node-core.js';

/** Commit latency buckets (seconds): a loopback commit takes ~1-5 ms, a slow disk 100s of ms. */
export const COMMIT_BUCKETS_S = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];
/** fsync latency buckets (seconds): tmpfs ~20 µs, SSD ~0.5-2 ms, spinning disk or cloud volume 5-50 ms. */
export const FSYNC_BUCKETS_S = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
];

/** Process-wide series (CPU, memory, event loop, GC): one set per process, shared by its nodes. */
let processRegistry: Registry | null = null;

function processMetrics(): Registry {
  if (processRegistry === null) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** One node's metrics. Created by NodeCore; the HTTP layer appends its own request metrics. */
export class NodeMetrics {
  readonly registry = new Registry();
  readonly #commit: Histogram;
  readonly #fsync: Histogram;
  readonly #persistedEntries: Counter;
  readonly #elections: Counter;
  readonly #leaderChanges: Counter;
  #lastLeader: string | null = null;

  constructor(private readonly core: NodeCore) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ node: core.options.id });
    this.#commit = new Histogram({
      name: 'logcluster_commit_latency_seconds',
      help: 'Leader: from propose to applied (committed on a majority, fsynced there), per batch.',
      buckets: COMMIT_BUCKETS_S,
      registers,
    });
    this.#fsync = new Histogram({
      name: 'logcluster_fsync_duration_seconds',
      help: 'Time to make one Ready durable (append, fdatasync, hard state) when it had to be synced.',
      buckets: FSYNC_BUCKETS_S,
      registers,
    });
    this.#persistedEntries = new Counter({
      name: 'logcluster_persisted_entries_total',
      help: 'Raft entries appended to the local log (divide by fsyncs for the group-commit factor).',
      registers,
    });
    this.#elections = new Counter({
      name: 'logcluster_raft_elections_total',
      help: 'Elections this node started (it became a candidate for a new term).',
      registers,
    });
    this.#leaderChanges = new Counter({
      name: 'logcluster_raft_leader_changes_total',
      help: 'Times this node saw the leader become a different node (the first leader included).',
      registers,
    });
    this.#levels(registers);
  }

  /** Times a proposed batch from now until `applied` resolves; returns `applied` unchanged. */
  timeCommit<T>(applied: Promise<T>): Promise<T> {
    const startedMs = performance.now();
    applied.then(
      () => this.#commit.observe((performance.now() - startedMs) / 1000),
      () => undefined, // a failed write has no commit latency; the caller handles the rejection
    );
    return applied;
  }

  /** One Ready was persisted in `durationMs`. */
  persisted(ready: Ready, durationMs: number): void {
    if (ready.entries.length > 0) this.#persistedEntries.inc(ready.entries.length);
    if (ready.mustSync) this.#fsync.observe(durationMs / 1000);
  }

  /** The node's role changed. */
  roleChanged(role: string): void {
    if (role === 'candidate') this.#elections.inc();
  }

  /** The node's view of the leader changed (null: an election is running). */
  leaderChanged(leaderId: string | null): void {
    if (leaderId !== null && leaderId !== this.#lastLeader) this.#leaderChanges.inc();
    if (leaderId !== null) this.#lastLeader = leaderId;
  }

  /**
   * The exposition text: this node's series, then the process's (Prometheus text format 0.0.4),
   * without prom-client's blank separator lines (strict line-based readers choke on them).
   */
  async text(): Promise<string> {
    const own = await this.registry.metrics();
    // prom-client prints a NaN value (an event-loop mean before its first sample) as "Nan".
    const shared = (await processMetrics().metrics()).replace(/ Nan$/gm, ' NaN');
    return `${own}${shared}`.replace(/\n{2,}/g, '\n');
  }

  /** Series read from the node when scraped. */
  #levels(registers: Registry[]): void {
    const core = this.core;
    const counter = (name: string, help: string, read: () => number) =>
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read());
        },
      });
    counter(
      'logcluster_writes_total',
      'Log entries applied (duplicates excluded).',
      () => core.counters.writes,
    );
    counter('logcluster_reads_total', 'Reads and queries served.', () => core.counters.reads);
    counter(
      'logcluster_replications_received_total',
      'Append messages with entries received from a leader.',
      () => core.counters.replications_received,
    );
    gauge('logcluster_raft_term', 'Current Raft term.', () => core.status().term);
    gauge('logcluster_raft_is_leader', '1 when this node is the leader.', () =>
      core.status().role === 'leader' ? 1 : 0,
    );
    gauge(
      'logcluster_raft_commit_index',
      'Highest committed log index known.',
      () => core.status().commitIndex,
    );
    gauge('logcluster_raft_applied_index', 'Highest applied log index.', () => core.machine.appliedIndex);
    gauge('logcluster_raft_last_index', 'Last index in the local log.', () => core.status().lastIndex);
    gauge('logcluster_storage_bytes', 'Bytes in log segments.', () => core.storage.stats().bytes);
    gauge('logcluster_storage_segments', 'Log segment files.', () => core.storage.stats().segments);
    gauge('logcluster_storage_first_index', 'First index the log still holds (retention moves it).', () =>
      core.storage.firstIndex(),
    );
    gauge(
      'logcluster_storage_snapshot_index',
      'Index of the latest snapshot (compaction point).',
      () => core.storage.snapshot().index,
    );
    counter(
      'logcluster_retention_compactions_total',
      'Compactions retention made (each drops whole segments).',
      () => core.retention?.stats().compactions ?? 0,
    );
    counter(
      'logcluster_retention_dropped_segments_total',
      'Log segments retention deleted.',
      () => core.retention?.stats().segments_dropped ?? 0,
    );
    counter(
      'logcluster_retention_dropped_bytes_total',
      'Log bytes retention deleted.',
      () => core.retention?.stats().bytes_dropped ?? 0,
    );
    gauge('logcluster_pending_writes', 'Proposed entries waiting for commit.', () => core.pending.size);
    gauge('logcluster_storage_failed', '1 after a disk failure stopped writes (until restart).', () =>
      core.storageError ? 1 : 0,
    );
    this.#peerSeries(registers);
  }

  /** Per-peer series: replication lag and contact (leader only), transport counters (every node). */
  #peerSeries(registers: Registry[]): void {
    const core = this.core;
    const self = core.options.id;
    const tickS = core.options.tickIntervalMs / 1000;
    new Gauge({
      name: 'logcluster_raft_peer_lag_entries',
      help: 'Entries a peer is behind the leader (reported by the leader only).',
      labelNames: ['peer'],
      registers,
      collect() {
        this.reset();
        const status = core.status();
        for (const p of status.progress) {
          if (p.id !== self) this.set({ peer: p.id }, Math.max(0, status.lastIndex - p.matchIndex));
        }
      },
    });
    new Gauge({
      name: 'logcluster_raft_peer_last_contact_seconds',
      help: 'Time since the leader last heard from a peer (reported by the leader only).',
      labelNames: ['peer'],
      registers,
      collect() {
        this.reset();
        for (const p of core.status().progress) {
          if (p.id !== self) this.set({ peer: p.id }, p.lastContactTicks * tickS);
        }
      },
    });
    const transport = (name: string, help: string, field: 'sent' | 'received' | 'dropped') =>
      new Counter({
        name,
        help,
        labelNames: ['peer'],
        registers,
        collect() {
          this.reset();
          for (const [peer, stats] of Object.entries(core.transport.stats())) {
            this.inc({ peer }, stats[field]);
          }
        },
      });
    transport('logcluster_transport_sent_total', 'Raft messages sent to a peer.', 'sent');
    transport('logcluster_transport_received_total', 'Raft messages received from a peer.', 'received');
    transport('logcluster_transport_dropped_total', 'Raft messages to or from a peer dropped.', 'dropped');
    new Gauge({
      name: 'logcluster_transport_connected',
      help: '1 while the connection to a peer is up.',
      labelNames: ['peer'],
      registers,
      collect() {
        this.reset();
        for (const [peer, stats] of Object.entries(core.transport.stats())) {
          this.set({ peer }, stats.connected ? 1 : 0);
        }
      },
    });
  }
}
