/**
 * The running parts of one node and the operations the HTTP service needs from them: propose a
 * batch and wait for it to apply, pass a linearizable read barrier, know the leader. StorageNode
 * builds it and owns its lifecycle; NodeApiService and the reports read it.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Entry, Raft, RaftStatus, ReadRefusal, ReadState, Snapshot } from '../consensus/index.js';
import { LogClusterError } from '../errors.js';
import type { FaultFilter } from '../transport/index.js';
import { encodeEntry, type IndexFields } from './entries/payload.js';
import { proposedFields } from './entries/proposed-fields.js';
import type { ValidEntry } from './entries/validate.js';
import type { LiveFeed } from './live-feed.js';
import { NodeMetrics } from './metrics.js';
import type { ResolvedNodeOptions } from './options.js';
import { PendingWrites } from './pending-writes.js';
import { RaftDriver } from './raft-driver.js';
import type { RaftStorage } from './raft-storage.js';
import { ReadBarrier } from './read-barrier.js';
import type { RetentionStats } from './retention.js';
import type { ApplyResult, StateMachine } from './state-machine.js';

/**
 * Entries applied per event-loop turn when a Ready commits many (a replay at start, a follower
 * catching up): ~10-20 ms of work, so ticks, elections and peers are served between slices.
 */
export const APPLY_SLICE_ENTRIES = 2048;

/** Counters kept for the seed's /health and /stats fields. */
export interface NodeCountersState {
  writes: number;
  reads: number;
  replications_received: number;
  readonly startTimeMs: number;
}

/** Observers of role and leader changes (StorageNode turns them into events). */
export interface CoreEvents {
  roleChange(role: string, term: number): void;
  leaderChange(leaderId: string | null, term: number): void;
  /** The disk failed: the node refuses writes until the StorageNode recovers it. */
  storageFailed(error: LogClusterError): void;
}

/** One node's Raft core, storage, applied state and the queues of waiting clients. */
export class NodeCore {
  #raft: Raft;
  #storage: RaftStorage;
  #driver: RaftDriver;
  readonly pending = new PendingWrites();
  readonly reads: ReadBarrier;
  readonly counters: NodeCountersState = {
    writes: 0,
    reads: 0,
    replications_received: 0,
    startTimeMs: Date.now(),
  };
  /** Set when the disk failed: the node answers reads but refuses writes until restarted. */
  storageError: LogClusterError | null = null;
  /** This node's URL as peers and clients reach it; known once the HTTP server listens. */
  selfUrl: string;
  /** The retention loop's counters, when retention is on (set by StorageNode). */
  retention: { stats(): RetentionStats } | null = null;
  /** The node's Prometheus registry (GET /metrics). */
  readonly metrics: NodeMetrics;
  #status: RaftStatus;
  #statusFresh = false;

  constructor(
    readonly options: ResolvedNodeOptions,
    raft: Raft,
    storage: RaftStorage,
    readonly machine: StateMachine,
    readonly feed: LiveFeed,
    readonly transport: FaultFilter,
    private readonly events: CoreEvents,
  ) {
    this.selfUrl = options.advertiseUrl;
    this.metrics = new NodeMetrics(this);
    this.#raft = raft;
    this.#storage = storage;
    this.#driver = this.#newDriver();
    this.reads = new ReadBarrier({
      nodeId: options.id,
      readIndex: (context) => {
        const result = this.#raft.readIndex(context);
        this.driver.schedule();
        return result;
      },
      appliedIndex: () => machine.appliedIndex,
      nowMs: () => Date.now(),
      leaderHints: (leaderId) => this.leaderHints(leaderId ?? this.status().leaderId),
    });
    this.#status = raft.status();
    transport.onReceive((messages) => {
      for (const message of messages) {
        if (message.type === 'append' && message.entries.length > 0) this.counters.replications_received++;
        this.#raft.step(message);
      }
      this.#changed();
    });
    // A killed leader's followers learn it from the closed connection at once, not a timeout later.
    transport.onPeerUnreachable((peer) => {
      this.#raft.reportUnreachable(peer);
      this.#changed();
    });
    // A starting node elects a leader as soon as a peer answers, not a whole timeout later.
    transport.onPeerReachable((peer) => this.#raft.reportReachable(peer));
  }

  get raft(): Raft {
    return this.#raft;
  }

  get storage(): RaftStorage {
    return this.#storage;
  }

  get driver(): RaftDriver {
    return this.#driver;
  }

  /**
   * Replaces the Raft core and its storage after the disk recovered (the old driver must be
   * stopped and the old storage closed). The applied state, the feed and the HTTP side stay.
   */
  replaceConsensus(raft: Raft, storage: RaftStorage): void {
    this.#raft = raft;
    this.#storage = storage;
    this.#driver = this.#newDriver();
    this.storageError = null;
    this.#changed();
  }

  #newDriver(): RaftDriver {
    return new RaftDriver(this.#raft, this.#storage, this.transport, {
      applyCommitted: (entries) => this.#apply(entries),
      restoreSnapshot: (snapshot) => this.#restore(snapshot),
      readStates: (states, refusals) => this.#readStates(states, refusals),
      storageFailed: (error) => this.#storageFailed(error),
      persisted: (ready, durationMs) => this.metrics.persisted(ready, durationMs),
    });
  }

  /** The core's status, computed at most once per change (it allocates). */
  status(): RaftStatus {
    if (!this.#statusFresh) {
      this.#status = this.raft.status();
      this.#statusFresh = true;
    }
    return this.#status;
  }

  /** The URL of member `id` (this node's own advertised URL for itself). */
  urlOf(id: string | null): string | null {
    if (id === null) return null;
    return id === this.options.id ? this.selfUrl : (this.options.peers[id] ?? null);
  }

  /** `leader_id` and `leader_url` hints for error bodies. */
  leaderHints(leaderId: string | null): Record<string, unknown> {
    return leaderId === null ? {} : { leader_id: leaderId, leader_url: this.urlOf(leaderId) };
  }

  /** One logical clock tick (from TickClock). */
  tick(): void {
    this.raft.tick();
    const now = Date.now();
    this.pending.expire(now);
    this.reads.expire();
    this.#changed();
  }

  /**
   * Proposes `entries` as one batch (leader only) and resolves when all are applied here, i.e.
   * committed on a majority of voters and fsynced there. Throws NOT_LEADER (with hints) when this
   * node is not the leader, OVERLOADED or TRANSFER_IN_PROGRESS when it cannot take more now.
   */
  propose(entries: readonly ValidEntry[]): Promise<ApplyResult[]> {
    if (this.storageError) return Promise.reject(this.storageError);
    if (this.pending.full(entries.length)) {
      return Promise.reject(
        new LogClusterError('OVERLOADED', 'Too many writes waiting for commit; retry later'),
      );
    }
    const nowMs = Date.now();
    const context = { nodeId: this.options.id, nowMs };
    const payloads = new Array<Uint8Array>(entries.length);
    const fields = new Array<IndexFields>(entries.length);
    for (let i = 0; i < entries.length; i++) {
      payloads[i] = encodeEntry(entries[i], context);
      fields[i] = proposedFields(entries[i], context);
    }
    const result = this.raft.propose(payloads);
    if (!result.ok) {
      const hints = this.leaderHints(result.leaderId === this.options.id ? null : result.leaderId);
      if (result.reason === 'window-full') {
        return Promise.reject(
          new LogClusterError('OVERLOADED', 'The replication window is full; retry later', hints),
        );
      }
      if (result.reason === 'transfer-in-progress') {
        return Promise.reject(new LogClusterError('TRANSFER_IN_PROGRESS', undefined, hints));
      }
      return Promise.reject(new LogClusterError('NOT_LEADER', `${this.options.id} is not the leader`, hints));
    }
    this.#changed();
    const applied = this.metrics.timeCommit(
      this.pending.add(result.index, entries.length, result.term, nowMs, fields),
    );
    if (!this.options.bugs.ackOnPropose) return applied;
    applied.catch(() => {}); // TEST ONLY planted bug: answer before anything is durable
    return Promise.resolve(
      entries.map((entry, i) => ({
        id: entry.id,
        index: result.index + i,
        term: result.term,
        duplicate: false,
      })),
    );
  }

  /** Voters holding `index` per the leader's progress (itself included). */
  replicasOf(index: number): number {
    const status = this.status();
    if (status.role !== 'leader') return 0;
    let count = status.config.voters.includes(this.options.id) && status.lastIndex >= index ? 1 : 0;
    for (const peer of status.progress)
      if (peer.voter && peer.id !== this.options.id && peer.matchIndex >= index) count++;
    return Math.max(count, Math.floor(status.config.voters.length / 2) + 1);
  }

  #changed(): void {
    this.#statusFresh = false;
    this.driver.schedule();
    // Role and leader changes are looked for once per turn of the event loop, not once per
    // proposal or message batch: status() allocates, and this runs on the write path.
    if (this.#watchScheduled) return;
    this.#watchScheduled = true;
    setImmediate(() => {
      this.#watchScheduled = false;
      this.#watchRole(this.status());
    });
  }

  #watchScheduled = false;

  #lastRole = '';
  #lastLeader: string | null | undefined = undefined;

  #watchRole(status: RaftStatus): void {
    if (status.role !== this.#lastRole) {
      this.#lastRole = status.role;
      this.metrics.roleChanged(status.role);
      this.events.roleChange(status.role, status.term);
    }
    if (status.leaderId !== this.#lastLeader) {
      this.#lastLeader = status.leaderId;
      this.metrics.leaderChanged(status.leaderId);
      this.events.leaderChange(status.leaderId, status.term);
    }
  }

  /** Applies committed entries; many are applied in slices, between turns of the event loop. */
  #apply(entries: readonly Entry[]): Promise<void> | undefined {
    if (entries.length <= APPLY_SLICE_ENTRIES) {
      this.#applySlice(entries);
      return undefined;
    }
    return this.#applySliced(entries);
  }

  async #applySliced(entries: readonly Entry[]): Promise<void> {
    for (let from = 0; from < entries.length; from += APPLY_SLICE_ENTRIES) {
      if (from > 0) await nextTurn();
      this.#applySlice(entries.slice(from, from + APPLY_SLICE_ENTRIES));
    }
  }

  #applySlice(entries: readonly Entry[]): void {
    for (const entry of entries) {
      // After a repair the core may hand out entries this state already applied.
      if (entry.index <= this.machine.appliedIndex) continue;
      if (entry.type !== 'normal') {
        this.machine.skip(entry.index);
        this.pending.superseded(entry.index);
        continue;
      }
      const known = this.pending.fieldsOf(entry.index, entry.term);
      const result = this.machine.apply(entry.index, entry.term, entry.data, known);
      if (!result.duplicate) {
        this.counters.writes++;
        this.feed.publish(entry.index, { index: entry.index, term: entry.term, payload: entry.data });
      }
      this.pending.applied(entry.index, entry.term, result);
    }
    this.reads.applied();
    this.#statusFresh = false;
  }

  #restore(snapshot: Snapshot): void {
    if (snapshot.data.length > 0) this.machine.restore(snapshot.data);
    else this.machine.dropBefore(snapshot.index + 1);
    this.reads.applied();
  }

  #readStates(states: readonly ReadState[], refusals: readonly ReadRefusal[]): void {
    if (refusals.length > 0) this.reads.refused(refusals);
    if (states.length > 0) this.reads.confirmed(states);
  }

  #storageFailed(error: unknown): void {
    this.storageError =
      error instanceof LogClusterError
        ? error
        : new LogClusterError('STORAGE_IO', `Disk failure: ${String(error)}`);
    const damage = this.storageError.code === 'STORAGE_CORRUPT' ? this.storageError : null;
    if (damage) {
      this.storageError = new LogClusterError(
        'NOT_READY',
        `Repairing a damaged log from peers (${damage.message})`,
      );
    }
    // Entries that never left this node (a follower persists before it acks; a leader sends
    // before it persists) are gone with the core, replaced on recovery: definitely not stored.
    this.pending.failAfterDiskFault(
      this.#driver.sentIndex,
      this.storageError,
      new LogClusterError(
        'OUTCOME_UNKNOWN',
        `${this.storageError.message}; the write may still commit elsewhere`,
      ),
    );
    this.reads.failAll(this.storageError);
    this.events.storageFailed(damage ?? this.storageError);
  }
}
