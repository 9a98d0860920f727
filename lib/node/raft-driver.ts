/**
 * Drives the pure Raft core with real I/O, following the Ready contract on types.ts:
 * persist (fsync) → send → apply → advance — except a leader's appends and heartbeats, which leave
 * before its own fsync (consensus/early-send.ts) so leader and followers write in parallel. Inputs (ticks, peer messages, proposals) may arrive
 * while a Ready is being persisted; they accumulate in the core and go out in the next Ready, which
 * is how many client writes come to share one fdatasync on every node.
 */
import {
  type Entry,
  type HardState,
  type Raft,
  type ReadRefusal,
  type ReadState,
  type Ready,
  type Snapshot,
  splitMessages,
} from '../consensus/index.js';
import { LogClusterError } from '../errors.js';
import type { Transport } from '../transport/index.js';
import { CommitNoticeHold } from './commit-notice-hold.js';
import type { RaftStorage } from './raft-storage.js';

/** What the node does with each part of a Ready after it is durable. */
export interface DriverHooks {
  /**
   * Committed entries, in order; already persisted. May return a promise (many entries applied in
   * slices): the driver waits for it before advancing, as it waits for a persist.
   */
  applyCommitted(entries: readonly Entry[]): Promise<void> | undefined;
  /** A snapshot from the leader was installed in storage: reset the applied state to it. */
  restoreSnapshot(snapshot: Snapshot): void;
  readStates(states: readonly ReadState[], refusals: readonly ReadRefusal[]): void;
  /** A Ready was made durable in `durationMs` (metrics). */
  persisted?(ready: Ready, durationMs: number): void;
  /** Persisting failed (disk full, I/O error): the node must stop acknowledging anything. */
  storageFailed(error: unknown): void;
}

/** Runs the Ready loop for one Raft core; at most one Ready is in flight at a time. */
export class RaftDriver {
  #scheduled = false;
  #running = false;
  #failed = false;
  #stopped = false;
  #persistedIndex = 0;
  /** The last entry index that may have left this node (sent before its persist, or persisted). */
  #sentIndex = 0;
  /** The hard state known durable: decides which messages may leave before a persist. */
  #hardState: HardState;
  #idle: (() => void)[] = [];
  /** The send path: a leader's commit-only appends wait briefly to ride with the next append. */
  readonly #notices: CommitNoticeHold;

  constructor(
    readonly raft: Raft,
    private readonly storage: RaftStorage,
    transport: Transport,
    private readonly hooks: DriverHooks,
  ) {
    this.#notices = new CommitNoticeHold(transport);
    this.#persistedIndex = storage.lastIndex();
    this.#sentIndex = this.#persistedIndex;
    this.#hardState = storage.initialState().hardState;
  }

  /** The last entry index this driver persisted (0 before any). */
  get persistedIndex(): number {
    return this.#persistedIndex;
  }

  /**
   * The last entry index that may be on another node: a leader sends entries before persisting
   * them. Entries past it never left this node (a disk fault can declare them not stored).
   */
  get sentIndex(): number {
    return this.#sentIndex;
  }

  /** True once persisting failed; the loop stays stopped until the node restarts. */
  get failed(): boolean {
    return this.#failed;
  }

  /** Runs the loop soon: batched with everything else that happens in this turn of the event loop. */
  schedule(): void {
    if (this.#scheduled || this.#running || this.#failed || this.#stopped) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#run();
    });
  }

  /** Runs no further Ready; resolves once the one in progress (if any) is done. For a clean stop. */
  stop(): Promise<void> {
    this.#stopped = true;
    this.#notices.clear();
    if (!this.#running) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /**
   * Runs `work` (storage maintenance: retention's compaction) between two Readies, so no persist
   * overlaps it; the loop resumes afterwards. Resolves undefined without running it once the
   * driver stopped or failed.
   */
  async exclusive<T>(work: () => Promise<T>): Promise<T | undefined> {
    while (this.#running) await new Promise<void>((resolve) => this.#idle.push(resolve));
    if (this.#stopped || this.#failed) return undefined;
    this.#running = true;
    try {
      return await work();
    } finally {
      this.#running = false;
      for (const resolve of this.#idle.splice(0)) resolve();
      this.schedule();
    }
  }

  async #run(): Promise<void> {
    if (this.#running || this.#failed || this.#stopped) return;
    this.#running = true;
    try {
      while (!this.#stopped && this.raft.hasReady()) {
        const ready = this.raft.ready();
        const { beforePersist, afterPersist } = splitMessages(ready, this.#hardState);
        // Only a leader sends before persisting: it flushes only tiny groups on the event loop.
        if (ready.entries.length > 0) {
          this.storage.leading = beforePersist.length > 0;
          if (beforePersist.length > 0) this.#sentIndex = ready.entries[ready.entries.length - 1].index;
        }
        if (beforePersist.length > 0) this.#notices.send(beforePersist);
        try {
          const persistStartedMs = performance.now();
          await this.storage.persist(ready);
          if (ready.hardState) this.#hardState = ready.hardState;
          this.hooks.persisted?.(ready, performance.now() - persistStartedMs);
          if (ready.entries.length > 0) {
            this.#persistedIndex = ready.entries[ready.entries.length - 1].index;
            this.#sentIndex = Math.max(this.#sentIndex, this.#persistedIndex);
          }
        } catch (error) {
          // Environmental fault: nothing of this Ready may be sent or acknowledged.
          this.#failed = true;
          this.hooks.storageFailed(error);
          return;
        }
        if (ready.snapshot) this.hooks.restoreSnapshot(ready.snapshot);
        if (afterPersist.length > 0) this.#notices.send(afterPersist);
        if (ready.committed.length > 0) await this.hooks.applyCommitted(ready.committed);
        if (ready.readStates.length > 0 || (ready.readRefusals?.length ?? 0) > 0) {
          this.hooks.readStates(ready.readStates, ready.readRefusals ?? []);
        }
        this.raft.advance(ready);
      }
    } catch (error) {
      // Damage found while reading the log (to send or apply it): the node repairs and rejoins.
      // Anything else is a bug and must crash.
      if (!(error instanceof LogClusterError) || error.code !== 'STORAGE_CORRUPT') throw error;
      this.#failed = true;
      this.hooks.storageFailed(error);
    } finally {
      this.#running = false;
      for (const resolve of this.#idle.splice(0)) resolve();
    }
  }
}
