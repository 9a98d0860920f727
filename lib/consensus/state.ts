/**
 * The mutable state of one Raft node, restored from its LogStorage, with the few helpers every
 * role needs. The behaviour lives in the modules that take a RaftState (roles, election,
 * replication, follower, leader, reads, transfer, step, ready); this file only holds and queries.
 */
import { assert } from '../assert.js';
import { isVoter, Membership } from './membership.js';
import { type RaftOptions, type ResolvedOptions, resolveOptions } from './options.js';
import type { Progress } from './progress.js';
import { RaftLog } from './raft-log.js';
import { ReadOnlyQueue } from './read-only.js';
import type {
  ClusterConfig,
  HardState,
  LogStorage,
  Message,
  NodeId,
  ReadRefusal,
  ReadState,
  Role,
} from './types.js';

/** A read that arrived before the leader committed an entry of its term (§6.4 step 1 waits for that). */
export interface AwaitingRead {
  readonly context: string;
  readonly from: NodeId;
}

/** Everything one node knows. Fields are public to the consensus modules, never outside them. */
export class RaftState {
  readonly id: NodeId;
  readonly opts: ResolvedOptions;
  readonly log: RaftLog;
  readonly membership: Membership;
  term: number;
  vote: NodeId | null;
  lead: NodeId | null = null;
  role: Role = 'follower';
  electionElapsed = 0;
  heartbeatElapsed = 0;
  randomizedElectionTicks = 0;
  /** Votes received in the current (pre-)campaign. */
  readonly votes = new Map<NodeId, boolean>();
  /** Leader only: every member's progress, the leader's own included. */
  readonly progress = new Map<NodeId, Progress>();
  /** Leader only: reads awaiting a quorum round. */
  readonly readOnly = new ReadOnlyQueue();
  /** Leader only: reads awaiting the first commit of the leader's term. */
  readsAwaitingCommit: AwaitingRead[] = [];
  /** Leader only: the target of a leadership transfer in progress. */
  transferee: NodeId | null = null;
  /** Leader only: entries were appended since the last broadcast; the next Ready sends them (batching). */
  appendPending = false;
  /** Outputs collected for the next Ready. */
  msgs: Message[] = [];
  readStates: ReadState[] = [];
  readRefusals: ReadRefusal[] = [];
  /** The hard state last handed out in a Ready (or restored): a Ready carries one only on change. */
  persistedHardState: HardState;

  constructor(options: RaftOptions) {
    this.opts = resolveOptions(options);
    this.id = this.opts.id;
    const storage = this.opts.storage;
    const { hardState, config } = storage.initialState();
    const snapshot = storage.snapshot();
    // The snapshot's config is the membership at its index; the log's config entries follow.
    const emptyBoot = snapshot.index === 0 && snapshot.config.voters.length === 0;
    this.membership = new Membership(emptyBoot ? config : snapshot.config, snapshot.index);
    if (storage.configHistory !== undefined) this.membership.replay(storage.configHistory());
    else replayConfigEntries(storage, this.membership, this.opts.maxAppendBytes);
    const applied = options.applied ?? snapshot.index;
    const commit = Math.max(hardState.commit, snapshot.index, applied);
    this.log = new RaftLog(storage, commit, applied);
    this.membership.onCommit(commit);
    this.term = hardState.term;
    this.vote = hardState.vote;
    this.persistedHardState = hardState;
  }

  config(): ClusterConfig {
    return this.membership.current;
  }

  isVoter(id: NodeId = this.id): boolean {
    return isVoter(this.membership.current, id);
  }

  /**
   * Who may campaign: a voter of its latest config, or of its committed one while its own
   * removal or demotion is not committed yet (dissertation §4.2.2: it may still be needed; the
   * simulator found a cluster stuck when such a node, holding the longest log, stayed silent).
   * Safe: a candidate counts only the votes of its latest config's voters. Learners and nodes
   * whose removal committed never campaign.
   */
  promotable(): boolean {
    if (this.repairing()) return false;
    return this.isVoter(this.id) || isVoter(this.membership.committed, this.id);
  }

  /** True while a repaired log may lack entries this node acknowledged (options.voteAfterCommit). */
  repairing(): boolean {
    return this.log.committed < this.opts.voteAfterCommit;
  }

  send(message: Message): void {
    assert(message.to !== this.id, `message ${message.type} addressed to self`);
    this.msgs.push(message);
  }

  resetRandomizedElectionTimeout(): void {
    const base = this.opts.electionTicks;
    this.randomizedElectionTicks = base + this.opts.random.nextInt(base);
  }

  /** True inside the leader lease: a leader was heard from less than an election timeout ago. */
  inLease(): boolean {
    return this.opts.checkQuorum && this.lead !== null && this.electionElapsed < this.opts.electionTicks;
  }

  committedInCurrentTerm(): boolean {
    return this.log.term(this.log.committed) === this.term;
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }
}

/** Applies every config entry still in the log on top of the snapshot's (or bootstrap) config. */
function replayConfigEntries(storage: LogStorage, membership: Membership, maxBytes: number): void {
  const last = storage.lastIndex();
  for (let lo = storage.firstIndex(); lo <= last; ) {
    const entries = storage.entries(lo, last + 1, maxBytes);
    assert(entries.length > 0, `storage returned no entries at ${lo}`);
    membership.onAppend(entries.filter((e) => e.type === 'config'));
    lo = entries[entries.length - 1].index + 1;
  }
}
