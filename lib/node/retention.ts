/**
 * The retention policy loop of one node. Every RETENTION_INTERVAL_MS it plans which whole old
 * segments to drop (retention-plan.ts), brings the dedup window up to the last of them
 * (retention-window.ts, in bounded chunks with the event loop free in between), then, between two
 * Readies, forgets their entries in the state machine and compacts the Raft storage there: a
 * snapshot file at the boundary, then the segment files are deleted. Each node does this on its
 * own, as etcd members do; a follower that needs entries its leader dropped receives the snapshot.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { LogClusterError } from '../errors.js';
import { decodeIndexFields } from './entries/payload.js';
import type { RaftDriver } from './raft-driver.js';
import type { RaftStorage } from './raft-storage.js';
import {
  planRetention,
  type RetentionLimits,
  type RetentionPlan,
  type SegmentSpan,
} from './retention-plan.js';
import { RetentionWindow } from './retention-window.js';
import type { StateMachine } from './state-machine.js';

/** How often a node checks its retention bounds: cheap when idle (a look at the segment list). */
export const RETENTION_INTERVAL_MS = 1_000;

/** Log payload replayed per run (one default segment): bounds the disk reads of one run. */
export const RETENTION_REPLAY_BYTES_PER_RUN = 64 * 1024 * 1024;

/** Payload read per synchronous step of the replay: ~1 ms of event loop before yielding. */
export const RETENTION_STEP_BYTES = 1024 * 1024;

/** Entries read back from a segment's end to find its newest log entry (skipping noop/config). */
export const AGE_PROBE_ENTRIES = 64;

/** What a Retention acts on (NodeCore: its storage and driver change when the disk recovers). */
export interface RetentionHost {
  readonly storage: RaftStorage;
  readonly driver: Pick<RaftDriver, 'exclusive'>;
  readonly machine: StateMachine;
  /** Set while the disk failed: retention waits for recovery. */
  readonly storageError: LogClusterError | null;
}

/** One compaction, as the 'retention' event and the stats report it. */
export interface CompactionEvent {
  /** Entries up to this index were removed; reads of them answer COMPACTED. */
  readonly index: number;
  readonly segments: number;
  readonly bytes: number;
  readonly bySize: number;
  readonly byAge: number;
  /** Log bytes right after the compaction. */
  readonly bytesAfter: number;
  readonly atMs: number;
}

/** Counters for /stats and /metrics. */
export interface RetentionStats {
  readonly max_bytes: number;
  readonly max_age_ms: number;
  readonly compactions: number;
  readonly segments_dropped: number;
  readonly bytes_dropped: number;
  /** Entries below this index were removed (1: nothing yet). */
  readonly compacted_before: number;
  readonly last_compaction: CompactionEvent | null;
  readonly last_error: string | null;
}

/** How a Retention is built. */
export interface RetentionOptions {
  /** The wall clock age is measured against (tests inject one). Default Date.now. */
  readonly nowMs?: () => number;
  /** Default RETENTION_INTERVAL_MS. */
  readonly intervalMs?: number;
  /** Default RETENTION_REPLAY_BYTES_PER_RUN. */
  readonly replayBytesPerRun?: number;
  /** Called after each compaction. */
  readonly onCompacted?: (event: CompactionEvent) => void;
  /** Called when a run failed (an environmental fault; the next run retries). */
  readonly onError?: (error: unknown) => void;
}

/** The retention loop of one node; start() arms it, stop() waits for the run in progress. */
export class Retention {
  readonly #host: RetentionHost;
  readonly #limits: RetentionLimits;
  readonly #window: RetentionWindow;
  readonly #nowMs: () => number;
  readonly #intervalMs: number;
  readonly #replayBytes: number;
  readonly #options: RetentionOptions;
  #timer: NodeJS.Timeout | null = null;
  #run: Promise<CompactionEvent | null> | null = null;
  #stopped = false;
  #compactions = 0;
  #segmentsDropped = 0;
  #bytesDropped = 0;
  #last: CompactionEvent | null = null;
  #lastError: string | null = null;
  /** The last segment probed for age: a sealed segment's newest entry never changes. */
  #probed: { firstIndex: number; lastIndex: number; newestMs: number | undefined } | null = null;

  constructor(host: RetentionHost, limits: RetentionLimits, options: RetentionOptions = {}) {
    this.#host = host;
    this.#limits = limits;
    this.#window = new RetentionWindow(() => host.machine.newDedupWindow());
    this.#nowMs = options.nowMs ?? Date.now;
    this.#intervalMs = options.intervalMs ?? RETENTION_INTERVAL_MS;
    this.#replayBytes = options.replayBytesPerRun ?? RETENTION_REPLAY_BYTES_PER_RUN;
    this.#options = options;
  }

  /** Runs the policy every interval until stop(). */
  start(): void {
    if (this.#timer !== null || this.#stopped) return;
    this.#timer = setInterval(() => {
      this.runOnce().catch(() => undefined); // reported through onError and stats
    }, this.#intervalMs);
    this.#timer.unref();
  }

  /** Stops the loop; resolves once the run in progress (if any) is over. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    await this.#run?.catch(() => undefined);
  }

  /** One run now (or the one in progress): the compaction it made, or null. */
  runOnce(): Promise<CompactionEvent | null> {
    this.#run ??= this.#once().finally(() => {
      this.#run = null;
    });
    return this.#run;
  }

  /** Counters for /stats and /metrics. */
  stats(): RetentionStats {
    return {
      max_bytes: this.#limits.maxBytes,
      max_age_ms: this.#limits.maxAgeMs,
      compactions: this.#compactions,
      segments_dropped: this.#segmentsDropped,
      bytes_dropped: this.#bytesDropped,
      compacted_before: this.#host.machine.compactedBefore,
      last_compaction: this.#last,
      last_error: this.#lastError,
    };
  }

  async #once(): Promise<CompactionEvent | null> {
    try {
      const event = await this.#compactOnce();
      this.#lastError = null;
      return event;
    } catch (error) {
      this.#lastError = error instanceof Error ? error.message : String(error);
      this.#options.onError?.(error);
      throw error;
    }
  }

  async #compactOnce(): Promise<CompactionEvent | null> {
    const host = this.#host;
    if (this.#stopped || host.storageError !== null) return null;
    const storage = host.storage;
    this.#window.sync(storage);
    const plan = this.#plan(storage);
    if (plan === null) return null;
    const index = await this.#replay(storage, plan);
    if (index === null) return null;
    const segmentsBefore = storage.segments();
    const done = await host.driver.exclusive(async () => {
      // Re-check under exclusion: a snapshot from the leader or a disk recovery may have come.
      if (this.#stopped || host.storage !== storage || !this.#window.follows(storage)) return false;
      if (index > host.machine.appliedIndex) return false;
      if (index > storage.snapshot().index) {
        host.machine.dropBefore(index + 1);
        await storage.compact(index, this.#window.snapshotData());
      } else {
        await storage.compact(index, new Uint8Array(0)); // deletes files the snapshot covers
      }
      return true;
    });
    if (done !== true) return null;
    return this.#record(plan, index, segmentsBefore, storage);
  }

  #plan(storage: RaftStorage): RetentionPlan | null {
    const snapshotIndex = storage.snapshot().index;
    return planRetention(this.#limits, {
      segments: storage.segments(),
      snapshotIndex,
      appliedIndex: this.#host.machine.appliedIndex,
      nowMs: this.#nowMs(),
      newestAcceptedAtMs: (segment) => {
        const p = this.#probed;
        if (p?.firstIndex === segment.firstIndex && p.lastIndex === segment.lastIndex) return p.newestMs;
        const newestMs = newestAcceptedAtMs(storage, segment, snapshotIndex);
        this.#probed = { firstIndex: segment.firstIndex, lastIndex: segment.lastIndex, newestMs };
        return newestMs;
      },
    });
  }

  /**
   * Brings the window to the last planned boundary it can reach within the run's byte budget
   * (whole segments only). Returns that boundary, or null when the storage changed under it.
   */
  async #replay(storage: RaftStorage, plan: RetentionPlan): Promise<number | null> {
    let reached: number | null = null;
    let bytes = 0;
    for (const end of plan.ends) {
      while (this.#window.index < end) {
        if (this.#stopped || this.#host.storage !== storage || !this.#window.follows(storage)) return null;
        bytes += this.#window.advance(storage, end, RETENTION_STEP_BYTES);
        await nextTurn();
      }
      reached = end;
      if (bytes >= this.#replayBytes) break;
    }
    return reached;
  }

  #record(
    plan: RetentionPlan,
    index: number,
    before: readonly SegmentSpan[],
    storage: RaftStorage,
  ): CompactionEvent | null {
    const after = storage.segments();
    const firstKept = after[0]?.firstIndex ?? 0;
    const dropped = before.filter((s) => s.firstIndex < firstKept);
    const bytes = dropped.reduce((sum, s) => sum + s.bytes, 0);
    // The plan lists covered segments first, then those over size, then those too old.
    const count = plan.ends.filter((end) => end <= index).length - plan.covered;
    const bySize = Math.max(0, Math.min(plan.bySize, count));
    const event: CompactionEvent = {
      index,
      segments: dropped.length,
      bytes,
      bySize,
      byAge: Math.max(0, count - bySize),
      bytesAfter: after.reduce((sum, s) => sum + s.bytes, 0),
      atMs: Date.now(),
    };
    this.#compactions++;
    this.#segmentsDropped += dropped.length;
    this.#bytesDropped += bytes;
    this.#last = event;
    this.#options.onCompacted?.(event);
    return event;
  }
}

/** Accept time of the newest log entry among the last AGE_PROBE_ENTRIES of `segment`. */
function newestAcceptedAtMs(
  storage: RaftStorage,
  segment: SegmentSpan,
  snapshotIndex: number,
): number | undefined {
  const lo = Math.max(segment.firstIndex, segment.lastIndex - AGE_PROBE_ENTRIES + 1, snapshotIndex + 1);
  if (lo > segment.lastIndex) return undefined;
  let newest: number | undefined;
  for (const entry of storage.entries(lo, segment.lastIndex + 1, Number.MAX_SAFE_INTEGER)) {
    if (entry.type !== 'normal') continue;
    const at = decodeIndexFields(entry.data).acceptedAtMs;
    if (newest === undefined || at > newest) newest = at;
  }
  return newest;
}
