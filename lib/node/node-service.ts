/**
 * The NodeService the HTTP API talks to, over one NodeCore: writes proposed on the leader (or
 * forwarded to it), reads at the requested consistency, queries, streams and reports.
 */
import { dashboardPage } from '../dashboard/page.js';
import { LogClusterError } from '../errors.js';
import type {
  ClusterReport,
  EntryRef,
  HealthReport,
  LogFilter,
  LogQuery,
  LogRecord,
  NodeService,
  QueryPage,
  ReadConsistency,
  RequestOrigin,
  StatsReport,
  StreamSink,
  Subscription,
  ValidEntry,
  WriteResult,
} from '../http/service.js';
import { filePathOf } from './entries/record.js';
import type { Forwarder } from './forwarder.js';
import type { NodeCore } from './node-core.js';
import { clusterReport, healthReport, statsReport } from './node-reports.js';
import type { ApplyResult } from './state-machine.js';

/** StorageNode's implementation of the HTTP layer's NodeService. */
export class NodeApiService implements NodeService {
  stopping = false;

  constructor(
    private readonly core: NodeCore,
    private readonly forwarder: Forwarder,
  ) {}

  /** Not async (see #answer), yet every failure is a rejection, as callers chain on the promise. */
  write(entries: readonly ValidEntry[], origin: RequestOrigin = {}): Promise<readonly WriteResult[]> {
    try {
      this.#checkOpen();
      const status = this.core.status();
      if (status.role !== 'leader') return this.#forward(entries, status.leaderId, origin);
      return this.#answer(this.core.propose(entries));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The answer to a proposal; it does not hold the entries while they commit (see handleWrite). */
  async #answer(proposed: Promise<ApplyResult[]>): Promise<readonly WriteResult[]> {
    const { core } = this;
    const results = await proposed;
    const leaderId = core.options.id;
    return results.map((result) => ({
      file_path: filePathOf(result.index),
      id: result.id,
      index: result.index,
      term: result.term,
      leader_id: leaderId,
      replicas: core.replicasOf(result.index),
      duplicate: result.duplicate,
    }));
  }

  async read(ref: EntryRef, consistency: ReadConsistency): Promise<LogRecord> {
    this.#checkOpen();
    if (consistency !== 'local') await this.#barrier(consistency);
    this.core.counters.reads++;
    return this.core.machine.read(ref);
  }

  async query(query: LogQuery, consistency: ReadConsistency): Promise<QueryPage> {
    this.#checkOpen();
    await this.#barrier(consistency);
    this.core.counters.reads++;
    return this.core.machine.query(query);
  }

  subscribe(filter: LogFilter, afterIndex: number | null, sink: StreamSink): Subscription {
    this.#checkOpen();
    return this.core.feed.subscribe(filter, afterIndex, sink);
  }

  health(): HealthReport {
    return healthReport(this.core, this.stopping);
  }

  stats(): Promise<StatsReport> {
    return statsReport(this.core);
  }

  cluster(): ClusterReport {
    return clusterReport(this.core);
  }

  metrics(): Promise<string> {
    return this.core.metrics.text();
  }

  dashboard(): string {
    return dashboardPage();
  }

  /**
   * `local`: this node's applied state as it is. `leader`: the leader answers from its applied
   * state; a follower passes a ReadIndex round instead (at least as fresh, no forwarding).
   * `linearizable`: a ReadIndex round confirmed by a quorum, then wait to apply up to it.
   */
  async #barrier(consistency: ReadConsistency): Promise<void> {
    if (consistency === 'local') return;
    if (consistency === 'leader' && this.core.status().role === 'leader') return;
    if (this.core.options.bugs.staleReads) return; // TEST ONLY planted bug: no ReadIndex round
    await this.core.reads.wait();
  }

  #forward(
    entries: readonly ValidEntry[],
    leaderId: string | null,
    origin: RequestOrigin,
  ): Promise<readonly WriteResult[]> {
    const { core } = this;
    const hints = core.leaderHints(leaderId);
    if (leaderId === null) throw new LogClusterError('NO_LEADER', 'No leader is known; retry shortly', hints);
    const leaderUrl = core.urlOf(leaderId);
    if (origin.forwarded || leaderUrl === null) {
      throw new LogClusterError('NOT_LEADER', `${core.options.id} is not the leader`, hints);
    }
    return this.forwarder.write(leaderUrl, entries) as Promise<WriteResult[]>;
  }

  #checkOpen(): void {
    if (this.stopping) throw new LogClusterError('SHUTTING_DOWN');
  }
}
