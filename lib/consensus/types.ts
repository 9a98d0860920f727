/**
 * The vocabulary of the pure Raft core. This file is the contract between lib/consensus (which
 * imports nothing with I/O), the node that drives it (lib/node) and the simulator (lib/testing,
 * test/simulation). Indexes and terms are plain numbers: safe up to 2^53, far past any real log.
 */

/** A member's name, e.g. "node1". */
export type NodeId = string;

/**
 * What an entry carries. `normal`: application data. `noop`: the empty entry a new leader appends
 * at the start of its term (so it can commit earlier entries). `config`: a membership change,
 * data = JSON of ConfigChange, effective as soon as it is appended (Raft dissertation §4.1).
 */
export type EntryType = 'normal' | 'noop' | 'config';

/** One log entry. `data` is opaque to the core except for `config` entries. */
export interface Entry {
  readonly index: number;
  readonly term: number;
  readonly type: EntryType;
  readonly data: Uint8Array;
}

/** The state Raft must persist before answering any message: current term, vote, commit. */
export interface HardState {
  readonly term: number;
  readonly vote: NodeId | null;
  readonly commit: number;
}

/** Voting and non-voting (learner) members. A node is never in both lists. */
export interface ClusterConfig {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

/** One single-server membership change (Raft dissertation §4.1): one member at a time. */
export type ConfigChange =
  | { readonly kind: 'add-voter'; readonly node: NodeId }
  | { readonly kind: 'add-learner'; readonly node: NodeId }
  | { readonly kind: 'remove'; readonly node: NodeId };

/**
 * The point a log prefix was compacted to. `data` is the application's own snapshot (for
 * logcluster: the idempotency window), opaque to the core; `config` is the membership at `index`.
 */
export interface Snapshot {
  readonly index: number;
  readonly term: number;
  readonly config: ClusterConfig;
  readonly data: Uint8Array;
}

/** Read-only view of what the node has persisted. Synchronous: the core never waits. */
export interface LogStorage {
  /**
   * Hard state and membership as of the last persisted state (empty log: term 0, config as
   * bootstrapped). The core takes the membership from snapshot().config and replays the config
   * entries of the log itself (it must know which are uncommitted, to undo them if truncated);
   * `config` here is only its fallback when the empty snapshot carries no voters.
   */
  initialState(): { hardState: HardState; config: ClusterConfig };
  /** Index of the first entry still stored (snapshot.index + 1). */
  firstIndex(): number;
  /** Index of the last stored entry (snapshot.index when the log is empty). */
  lastIndex(): number;
  /** Term of the entry at `index`; the snapshot's term at snapshot.index; undefined when compacted or absent. */
  term(index: number): number | undefined;
  /** Entries in [lo, hi), at least one when lo < hi, stopping once `maxBytes` of data is exceeded. */
  entries(lo: number, hi: number, maxBytes: number): Entry[];
  /**
   * Optional fast path: for every config entry after the snapshot, ascending, its index and the
   * membership in force from it on (snapshot().config changed by each entry in turn). Without it
   * the core reads the whole log once at construction to find the config entries.
   */
  configHistory?(): readonly { readonly index: number; readonly config: ClusterConfig }[];
  /**
   * The latest snapshot; its config is the membership AS OF its index (not the latest one). When
   * there is none: index 0, term 0, config = the bootstrap membership.
   */
  snapshot(): Snapshot;
}

/** A seeded source of randomness. The core only ever asks for integers in [0, maxExclusive). */
export interface RandomSource {
  nextInt(maxExclusive: number): number;
}

/** Why a proposal or read was refused. Never silent: the caller always learns one of these. */
export type RefusalReason =
  | 'not-leader'
  | 'transfer-in-progress'
  | 'window-full'
  | 'config-change-pending'
  /** The request can never succeed as asked (remove the last voter, transfer to a non-voter). */
  | 'invalid-request';

/** The answer to propose/readIndex/proposeConfigChange: accepted (with where) or refused (with why). */
export type ProposeResult =
  | { readonly ok: true; readonly index: number; readonly term: number }
  | { readonly ok: false; readonly reason: RefusalReason; readonly leaderId: NodeId | null };

/** A confirmed linearizable read point: serve the read once the applied index reaches `index`. */
export interface ReadState {
  readonly context: string;
  readonly index: number;
}

/** A pending read that failed: retry it (at `leaderId` when known). */
export interface ReadRefusal {
  readonly context: string;
  readonly reason: RefusalReason;
  readonly leaderId: NodeId | null;
}

interface MessageBase {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
}

/** Every message the core sends or receives. Transports encode these; the core never sees bytes. */
export type Message =
  | (MessageBase & {
      readonly type: 'vote' | 'pre-vote';
      readonly lastIndex: number;
      readonly lastTerm: number;
      /** Set by a transfer target: voters grant even inside their leader lease. */
      readonly transfer: boolean;
    })
  | (MessageBase & { readonly type: 'vote-response' | 'pre-vote-response'; readonly granted: boolean })
  | (MessageBase & {
      readonly type: 'append';
      readonly prevIndex: number;
      readonly prevTerm: number;
      readonly entries: readonly Entry[];
      readonly commit: number;
    })
  | (MessageBase & {
      readonly type: 'append-response';
      readonly success: boolean;
      /** On success: the last index now matching the leader. On failure: the rejected prevIndex. */
      readonly index: number;
      /**
       * On failure, the fast-backtracking hint: the last index <= min(prevIndex, follower's last
       * index) whose term is <= the rejected prevTerm, and that term (0 when unknown). Every entry of
       * the follower after hintIndex is known not to match, so the leader next probes at the last
       * index <= hintIndex whose term is <= hintTerm in its own log (one round trip per term skipped
       * on both sides, not one per entry). 0/0 on success.
       */
      readonly hintIndex: number;
      readonly hintTerm: number;
    })
  | (MessageBase & { readonly type: 'heartbeat'; readonly commit: number; readonly context: string })
  | (MessageBase & { readonly type: 'heartbeat-response'; readonly context: string })
  | (MessageBase & { readonly type: 'snapshot'; readonly snapshot: Snapshot })
  | (MessageBase & { readonly type: 'timeout-now' })
  | (MessageBase & { readonly type: 'read-index'; readonly context: string })
  | (MessageBase & {
      readonly type: 'read-index-response';
      readonly context: string;
      /** The confirmed read index, or -1 when the leader refused (then `reason` says why). */
      readonly index: number;
      /** Why the read was refused; null when index >= 0. */
      readonly reason: RefusalReason | null;
    });

/** The type tag of a Message. */
export type MessageType = Message['type'];

/**
 * What the core asks its driver to do, in order. CONTRACT (the one rule safety rests on):
 *   1. persist `snapshot` (if any), then `entries` (truncating any stored suffix from
 *      entries[0].index on), then `hardState` (if any) — fsynced when `mustSync`;
 *   2. only THEN send `messages`;
 *   3. apply `committed` in order (they are always already persisted), and serve `readStates`
 *      once the applied index reaches theirs;
 *   4. call `advance(ready)` — before asking for the next Ready (step/tick/propose may be called
 *      in between, e.g. while an asynchronous fsync is in flight).
 * Sending a message before its Ready was persisted can lose acknowledged writes or elect two
 * leaders in one term (the simulator has a planted bug that does exactly this).
 */
export interface Ready {
  readonly hardState: HardState | null;
  readonly entries: readonly Entry[];
  readonly snapshot: Snapshot | null;
  readonly messages: readonly Message[];
  readonly committed: readonly Entry[];
  readonly readStates: readonly ReadState[];
  /**
   * Reads accepted earlier (readIndex answered `pending`) that will never get a ReadState: the
   * leader lost leadership or refused them. Optional only so hand-built Ready values stay valid;
   * the core always sets it.
   */
  readonly readRefusals?: readonly ReadRefusal[];
  /** True when entries or a changed term/vote must be fsynced before the messages go out. */
  readonly mustSync: boolean;
}

/** A member's role. */
export type Role = 'follower' | 'pre-candidate' | 'candidate' | 'leader' | 'learner';

/** Replication progress of one peer, as the leader sees it (for /stats and /cluster). */
export interface PeerProgress {
  readonly id: NodeId;
  readonly voter: boolean;
  readonly matchIndex: number;
  readonly nextIndex: number;
  /** Ticks since the leader last heard from this peer. */
  readonly lastContactTicks: number;
  readonly state: 'probe' | 'replicate' | 'snapshot';
  readonly inflight: number;
}

/** A snapshot of the core's state for observers; never used to make decisions outside the core. */
export interface RaftStatus {
  readonly id: NodeId;
  readonly role: Role;
  readonly term: number;
  readonly leaderId: NodeId | null;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly lastIndex: number;
  readonly firstIndex: number;
  readonly config: ClusterConfig;
  /** Only on the leader. */
  readonly progress: readonly PeerProgress[];
  readonly transferee: NodeId | null;
}
