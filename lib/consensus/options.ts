/**
 * Options of the Raft core, their defaults and bounds. Every bound here is what keeps one node's
 * memory and one message's size finite no matter how fast clients propose.
 */
import { assert } from '../assert.js';
import type { LogStorage, NodeId, RandomSource } from './types.js';

/** Default election timeout in ticks; randomized per node in [ELECTION_TICKS, 2*ELECTION_TICKS) to break ties. */
export const ELECTION_TICKS = 10;

/** Default heartbeat interval in ticks: far below the election timeout so one lost heartbeat is harmless. */
export const HEARTBEAT_TICKS = 1;

/**
 * A follower told its leader's process is gone (Raft.reportUnreachable), or one with no leader
 * told a peer is up (Raft.reportReachable), campaigns within this share of an election timeout
 * (randomized, at least 1 tick) rather than a whole one: quick, yet spread enough that followers
 * told the same thing rarely poll in the same instant.
 */
export const UNREACHABLE_DELAY_SHARE = 0.3;

/** Default pipelining window: appends in flight per follower before the leader waits for acks. */
export const MAX_INFLIGHT_APPENDS = 64;

/** Default bytes of entry data per append message (one entry is always sent, whatever its size). */
export const MAX_APPEND_BYTES = 1024 * 1024;

/** Default bound on entries appended by the leader but not yet committed; past it proposals are refused. */
export const MAX_UNCOMMITTED_ENTRIES = 10_000;

/** Reads waiting on the leader (for a quorum round or a first commit in its term); past it they are refused. */
export const MAX_PENDING_READS = 4096;

/** Bytes of committed entry data handed out in one Ready, so one Ready never pins the whole log in memory. */
export const MAX_COMMITTED_BYTES_PER_READY = 16 * 1024 * 1024;

/**
 * TEST ONLY. Deliberate safety bugs the simulator must catch (the checker's teeth). All default to
 * off; never enable them outside tests.
 */
export interface PlantedBugs {
  /** Grant votes without checking that the candidate's log is at least as up to date (§5.4.1). */
  readonly voteWithoutLogCheck?: boolean;
  /** Commit entries of earlier terms by counting replicas (the Figure 8 bug, §5.4.2). */
  readonly commitPreviousTerm?: boolean;
  /** Followers accept appends without checking that prevIndex/prevTerm match (breaks log matching). */
  readonly appendWithoutPrevCheck?: boolean;
  /** The leader counts its own entries toward the quorum before they are persisted. */
  readonly leaderCountsUnpersisted?: boolean;
  /** The leader answers ReadIndex at once, without confirming leadership with a quorum (stale reads). */
  readonly readWithoutQuorum?: boolean;
}

/** How to build a Raft node. Only `id`, `storage` and `random` are required. */
export interface RaftOptions {
  readonly id: NodeId;
  /** Synchronous view of what this node has persisted. */
  readonly storage: LogStorage;
  /** The only source of randomness (election timeouts). */
  readonly random: RandomSource;
  /** Election timeout in ticks (default ELECTION_TICKS). */
  readonly electionTicks?: number;
  /** Heartbeat interval in ticks (default HEARTBEAT_TICKS); must be below electionTicks. */
  readonly heartbeatTicks?: number;
  /** Pipelining window per follower (default MAX_INFLIGHT_APPENDS). */
  readonly maxInflightAppends?: number;
  /** Entry data bytes per append message (default MAX_APPEND_BYTES). */
  readonly maxAppendBytes?: number;
  /** Uncommitted entries past which the leader refuses proposals with 'window-full' (default MAX_UNCOMMITTED_ENTRIES). */
  readonly maxUncommittedEntries?: number;
  /** PreVote (dissertation §9.6), default true. */
  readonly preVote?: boolean;
  /** CheckQuorum and the leader lease on votes (§6.2, §9.6), default true. */
  readonly checkQuorum?: boolean;
  /**
   * Index the application has already applied (its state survived the restart). Default: the
   * storage's snapshot index, i.e. every committed entry after the snapshot is handed out again.
   */
  readonly applied?: number;
  /**
   * A node whose log was damaged and cut back may have acknowledged entries it no longer holds;
   * until its commit index reaches this index (the highest it may have acknowledged) it grants no
   * vote and never campaigns, so no leader can be elected with its help that lacks them
   * (protocol-aware recovery). Default 0: no restriction.
   */
  readonly voteAfterCommit?: number;
  /** TEST ONLY: planted bugs (see PlantedBugs). */
  readonly bugs?: PlantedBugs;
}

/** RaftOptions with every default filled in. */
export interface ResolvedOptions {
  readonly id: NodeId;
  readonly storage: LogStorage;
  readonly random: RandomSource;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly maxInflightAppends: number;
  readonly maxAppendBytes: number;
  readonly maxUncommittedEntries: number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  readonly voteAfterCommit: number;
  readonly bugs: PlantedBugs;
}

/** Fills defaults and asserts the options make sense (bad options are a programmer error). */
export function resolveOptions(options: RaftOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    id: options.id,
    storage: options.storage,
    random: options.random,
    electionTicks: options.electionTicks ?? ELECTION_TICKS,
    heartbeatTicks: options.heartbeatTicks ?? HEARTBEAT_TICKS,
    maxInflightAppends: options.maxInflightAppends ?? MAX_INFLIGHT_APPENDS,
    maxAppendBytes: options.maxAppendBytes ?? MAX_APPEND_BYTES,
    maxUncommittedEntries: options.maxUncommittedEntries ?? MAX_UNCOMMITTED_ENTRIES,
    preVote: options.preVote ?? true,
    checkQuorum: options.checkQuorum ?? true,
    voteAfterCommit: options.voteAfterCommit ?? 0,
    bugs: options.bugs ?? {},
  };
  assert(resolved.id.length > 0, 'node id must not be empty');
  assert(
    Number.isInteger(resolved.heartbeatTicks) && resolved.heartbeatTicks > 0,
    'heartbeatTicks must be >= 1',
  );
  assert(
    Number.isInteger(resolved.electionTicks) && resolved.electionTicks > resolved.heartbeatTicks,
    'electionTicks must exceed heartbeatTicks',
  );
  assert(resolved.maxInflightAppends >= 1, 'maxInflightAppends must be >= 1');
  assert(resolved.maxAppendBytes >= 1, 'maxAppendBytes must be >= 1');
  assert(resolved.maxUncommittedEntries >= 1, 'maxUncommittedEntries must be >= 1');
  return resolved;
}
