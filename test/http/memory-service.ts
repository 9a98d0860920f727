/**
 * A NodeService for HTTP tests: a REAL StateMachine and LiveFeed over an in-memory log, as one
 * node that is always the leader. It stands in for the replicated node so the HTTP layer can be
 * tested on its own; StorageNode's own tests cover the real node behind the same interface.
 */

import { LogClusterError } from '../../lib/errors.js';
import type {
  ClusterReport,
  HealthReport,
  NodeService,
  ReadConsistency,
  StatsReport,
  WriteResult,
} from '../../lib/http/service.js';
import { encodeEntry } from '../../lib/node/entries/payload.js';
import { type EntryRef, filePathOf } from '../../lib/node/entries/record.js';
import type { ValidEntry } from '../../lib/node/entries/validate.js';
import { LiveFeed, type StreamSink } from '../../lib/node/live-feed.js';
import type { LogFilter, LogQuery } from '../../lib/node/log-query.js';
import { StateMachine } from '../../lib/node/state-machine.js';
import { MemoryLog } from '../node/memory-log.js';

export class MemoryService implements NodeService {
  readonly log = new MemoryLog();
  readonly machine = new StateMachine({ readEntry: this.log.read });
  readonly feed = new LiveFeed(this.machine);
  /** Thrown by the next call of any data method (write/read/query), then cleared. */
  failNext: unknown;
  health_: Partial<HealthReport> = {};
  readonly calls: Array<{ method: string; consistency?: ReadConsistency; query?: LogQuery }> = [];
  nowMs = Date.UTC(2024, 4, 1, 12);
  writes = 0;
  reads = 0;

  #maybeFail(): void {
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure !== undefined) throw failure;
  }

  async write(entries: readonly ValidEntry[]): Promise<readonly WriteResult[]> {
    this.#maybeFail();
    this.calls.push({ method: 'write' });
    return entries.map((entry) => {
      const stored = this.log.append(encodeEntry(entry, { nodeId: 'node1', nowMs: this.nowMs }));
      const applied = this.machine.apply(stored.index, stored.term, stored.payload);
      if (!applied.duplicate) this.feed.publish(applied.index, stored);
      this.writes++;
      return {
        file_path: filePathOf(applied.index),
        id: applied.id,
        index: applied.index,
        term: applied.term,
        leader_id: 'node1',
        replicas: 1,
        duplicate: applied.duplicate,
      };
    });
  }

  read(ref: EntryRef, consistency: ReadConsistency) {
    this.#maybeFail();
    this.calls.push({ method: 'read', consistency });
    this.reads++;
    return this.machine.read(ref);
  }

  async query(query: LogQuery, consistency: ReadConsistency) {
    this.#maybeFail();
    this.calls.push({ method: 'query', consistency, query });
    return this.machine.query(query);
  }

  subscribe(filter: LogFilter, afterIndex: number | null, sink: StreamSink) {
    this.calls.push({ method: 'subscribe' });
    return this.feed.subscribe(filter, afterIndex, sink);
  }

  health(): HealthReport {
    return {
      status: 'healthy',
      node_id: 'node1',
      role: 'leader',
      term: 1,
      leader_id: 'node1',
      commit_index: this.log.lastIndex,
      applied_index: this.machine.appliedIndex,
      uptime: 1,
      stats: this.#counters(),
      ...this.health_,
    };
  }

  #counters() {
    return {
      writes: this.writes,
      reads: this.reads,
      replications_received: 0,
      start_time: '2024-05-01T12:00:00.000Z',
    };
  }

  stats(): StatsReport {
    return { node_id: 'node1', stats: this.#counters(), storage: { entries: this.machine.stats().entries } };
  }

  cluster(): ClusterReport {
    return {
      leader_id: 'node1',
      term: 1,
      members: [{ id: 'node1', url: 'http://127.0.0.1:0', role: 'leader' }],
    };
  }

  metrics(): string {
    return `# HELP logcluster_writes_total Entries written.\n# TYPE logcluster_writes_total counter\nlogcluster_writes_total ${this.writes}\n`;
  }

  dashboard(): string {
    return '<!doctype html><title>logcluster</title>';
  }
}

/** A NOT_LEADER failure with the hints a follower adds. */
export function notLeader(): LogClusterError {
  return new LogClusterError('NOT_LEADER', 'node2 is a follower', {
    leader_id: 'node1',
    leader_url: 'http://127.0.0.1:5001',
  });
}
