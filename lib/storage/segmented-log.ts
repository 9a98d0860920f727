/**
 * The segmented, append-only log of one node (see docs/storage.md). Every call first applies its
 * effect to the in-memory view (firstIndex, lastIndex, term runs, tail cache), so synchronous
 * reads see it at once; the disk work follows in call order, and the returned promise settles
 * once that work is durable. Appends share fdatasyncs (GroupCommit). Truncations that remove
 * whole segments and resets need several ordered flushes: while one runs, later calls queue.
 *
 * After any failed disk operation the log is failed: every pending and later write rejects with
 * the same error (DISK_FULL or STORAGE_IO) and nothing written after the failure is acknowledged.
 * The in-memory view may then show records that never became durable; the owner must close the
 * log, and reopen it (which recovers the durable state) only once the cause is fixed.
 */
import { AssertionError, assert } from '../assert.js';
import { isLogClusterError, LogClusterError } from '../errors.js';
import { checkBatch } from './batch-check.js';
import { DiskQueue } from './disk-queue.js';
import type { FileSystem } from './file-system.js';
import { GroupCommit } from './group-commit.js';
import { ioError } from './io-error.js';
import { INLINE_SYNC_COOLDOWN_MS, LEADER_INLINE_SYNC_BYTES_MAX } from './limits.js';
import type { LogRecord } from './log-record.js';
import { resetLog } from './log-reset.js';
import { resolveLogOptions, type SegmentedLogOptions } from './options.js';
import { type RecoveryReport, recover } from './recovery.js';
import { readRecord, readRecords } from './segment-reads.js';
import { SegmentStore } from './segment-store.js';
import { syncRound, syncRoundNow } from './sync-round.js';
import { TailCache } from './tail-cache.js';
import { TermRuns } from './term-runs.js';

/** A durable, segmented log of records with contiguous indexes. */
export class SegmentedLog {
  private first: number;
  private last: number;
  private readonly runs = new TermRuns();
  private readonly cache: TailCache;
  private readonly commit: GroupCommit;
  /** Disk work waiting behind a blocking operation, in call order. */
  private readonly queue = new DiskQueue();
  private blocked = false;
  private unblockWaiters: Array<() => void> = [];
  private failure: LogClusterError | null = null;
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly store: SegmentStore,
    options: SegmentedLogOptions,
  ) {
    const segs = store.segments;
    this.first = segs[0].firstIndex;
    this.last = segs[segs.length - 1].lastIndex;
    for (const seg of segs) for (const [start, term] of seg.runs.toArray()) this.runs.append(start, term);
    this.cache = new TailCache(options.tailCacheRecordsMax, options.tailCacheBytesMax);
    this.cache.clear(this.last + 1);
    this.commit = new GroupCommit({
      round: (previous) => syncRound(store, previous),
      pendingBytes: () => store.pendingBytes,
      changesDirectory: () => store.dirDirty,
      roundNow: options.inlineSyncBytesMax > 0 ? () => this.syncInline(store, options) : undefined,
      writeAhead: () => store.flushWrites(),
      onFailure: (error) => {
        this.failWith(error).catch(() => undefined);
      },
    });
  }

  /**
   * Opens (creating when absent) the log in `dir`. Recovers: completes an interrupted reset,
   * truncates a torn or corrupt last record of the last segment, rebuilds invalid index files;
   * throws STORAGE_CORRUPT with {segment, offset, index} for corruption anywhere else.
   */
  static async open(
    fs: FileSystem,
    dir: string,
    options?: Partial<SegmentedLogOptions>,
  ): Promise<{ log: SegmentedLog; report: RecoveryReport }> {
    const resolved = resolveLogOptions(options);
    const store = new SegmentStore(fs, dir, resolved);
    try {
      const report = await recover(store);
      return { log: new SegmentedLog(store, resolved), report };
    } catch (error) {
      store.closeAll();
      throw error;
    }
  }

  /**
   * True while the node leads: then only rounds up to LEADER_INLINE_SYNC_BYTES_MAX fdatasync on
   * the event loop (see there); a follower's event loop has nothing better to do meanwhile.
   */
  leading = false;
  /** performance.now() before which small rounds stay off the event loop (the disk was slow). */
  private inlineResumeAtMs = 0;

  /** First stored index (an empty new log: 1). */
  get firstIndex(): number {
    return this.first;
  }

  /** Last appended index (firstIndex - 1 when empty). */
  get lastIndex(): number {
    return this.last;
  }

  /**
   * Appends records whose indexes continue lastIndex + 1 contiguously and whose terms do not
   * decrease (asserted). lastIndex and reads see them at once; the promise resolves once they are
   * durable. Payloads are kept by reference in the tail cache: do not modify them afterwards.
   * Rejects with ENTRY_TOO_LARGE / BATCH_TOO_LARGE (nothing appended) beyond the bounds of
   * limits.ts, and with DISK_FULL / STORAGE_IO when the disk fails (the log is then failed).
   */
  append(records: readonly LogRecord[]): Promise<void> {
    const refused = this.refusal() ?? checkBatch(records, this.last, this.runs.lastTerm);
    if (refused !== null) return Promise.reject(refused);
    if (records.length === 0) return Promise.resolve();
    for (let i = 0; i < records.length; i++) {
      this.runs.append(records[i].index, records[i].term);
      this.cache.push(records[i]);
    }
    this.last = records[records.length - 1].index;
    if (this.blocked) return this.queue.push({ kind: 'append', records });
    return this.appendToDisk(records);
  }

  /**
   * Removes every record with index > `index` (index >= firstIndex - 1). Durable when resolved;
   * ordered after earlier appends and before later ones.
   */
  truncateAfter(index: number): Promise<void> {
    const refused = this.refusal();
    if (refused !== null) return Promise.reject(refused);
    assert(Number.isSafeInteger(index) && index >= this.first - 1, 'truncateAfter index >= firstIndex - 1');
    if (index < this.last) {
      this.last = index;
      this.runs.truncateAfter(index);
      this.cache.truncateAfter(index);
    }
    if (this.blocked) return this.queue.push({ kind: 'truncate', index });
    return this.truncateOnDisk(index);
  }

  /**
   * Deletes whole segments all of whose records are < `index`, never the active segment; returns
   * the new firstIndex (<= index, or the active segment's first index). Durable when resolved.
   * Retention is best effort: while a blocking operation runs (a truncation that removes segments,
   * or a reset) it deletes nothing and returns the current firstIndex, so firstIndex only ever
   * moves at the moment of a call, as every caller saw it; the next call does the deletion.
   */
  dropPrefix(index: number): Promise<number> {
    const refused = this.refusal();
    if (refused !== null) return Promise.reject(refused);
    assert(Number.isSafeInteger(index), 'dropPrefix index is an integer');
    if (this.blocked) return Promise.resolve(this.first);
    try {
      const segs = this.store.segments;
      let k = 0;
      while (k < segs.length - 1 && segs[k].lastIndex < index) k++;
      for (const seg of segs.splice(0, k)) this.store.removeFiles(seg);
      this.first = segs[0].firstIndex;
      this.runs.dropBefore(this.first, this.last);
      this.cache.dropBefore(this.first);
    } catch (error) {
      return this.failWith(error);
    }
    const first = this.first;
    return this.commit.barrier().then(() => first);
  }

  /** Resolves when no blocking operation runs (or the log failed). */
  private unblocked(): Promise<void> {
    return new Promise<void>((resolve) => this.unblockWaiters.push(resolve));
  }

  /**
   * Drops every record; the log continues empty at `nextIndex` (a snapshot was installed). Atomic
   * and durable when resolved: after a crash the log reopens either as before or empty at nextIndex.
   */
  reset(nextIndex: number): Promise<void> {
    const refused = this.refusal();
    if (refused !== null) return Promise.reject(refused);
    assert(Number.isSafeInteger(nextIndex) && nextIndex >= 1, 'reset to an index >= 1');
    this.first = nextIndex;
    this.last = nextIndex - 1;
    this.runs.clear();
    this.cache.clear(nextIndex);
    if (this.blocked) return this.queue.push({ kind: 'reset', nextIndex });
    return this.blocking(() => resetLog(this.store, nextIndex).then(() => undefined));
  }

  /** Term of the record at `index`, from memory; undefined outside [firstIndex, lastIndex]. */
  termAt(index: number): number | undefined {
    if (index < this.first || index > this.last) return undefined;
    return this.runs.termAt(index);
  }

  /**
   * The record at `index`, read synchronously; undefined outside the range. Records read from disk
   * are CRC-checked: a mismatch throws STORAGE_CORRUPT with {segment, offset, index}.
   */
  read(index: number): LogRecord | undefined {
    this.checkReadable();
    if (!(index >= this.first && index <= this.last)) return undefined;
    const cached = this.cache.get(index);
    if (cached !== undefined) return cached;
    if (index >= this.queue.pendingFrom) return this.queue.record(index);
    return readRecord(this.store, index);
  }

  /**
   * Records [lo, hi) read synchronously: at least one when lo < hi and lo is in range, stopping after
   * the record that takes the payload total past `maxBytes`. Empty when lo is out of range.
   */
  readRange(lo: number, hi: number, maxBytes: number): LogRecord[] {
    this.checkReadable();
    const out: LogRecord[] = [];
    if (!(lo < hi && lo >= this.first && lo <= this.last)) return out;
    const end = Math.min(hi, this.last + 1);
    let bytes = 0;
    let i = lo;
    while (i < end && bytes <= maxBytes) {
      const record = this.cache.get(i) ?? (i >= this.queue.pendingFrom ? this.queue.record(i) : undefined);
      if (record !== undefined) {
        out.push(record);
        bytes += record.payload.length;
        i++;
        continue;
      }
      const stop = Math.min(end, this.queue.pendingFrom, i < this.cache.start ? this.cache.start : end);
      bytes = readRecords(this.store, i, stop, maxBytes, out, bytes);
      i = lo + out.length;
    }
    return out;
  }

  /** Sizes for /stats. */
  stats(): { segments: number; bytes: number; firstIndex: number; lastIndex: number } {
    return {
      segments: this.store.segments.length,
      bytes: this.store.bytes,
      firstIndex: this.first,
      lastIndex: this.last,
    };
  }

  /**
   * Every segment's index range and size, oldest first; the last one is the active segment. Read
   * from memory (retention plans which whole segments to drop from it). Empty segments have
   * lastIndex = firstIndex - 1.
   */
  segments(): Array<{ firstIndex: number; lastIndex: number; bytes: number }> {
    return this.store.segments.map((s) => ({
      firstIndex: s.firstIndex,
      lastIndex: s.lastIndex,
      bytes: s.bytes,
    }));
  }

  /** The term runs [firstIndex, term] of the log, oldest first (for tests and diagnostics). */
  termRuns(): Array<[number, number]> {
    return this.runs.toArray();
  }

  /** Waits for pending writes to become durable (or fail), then closes the files. Later calls reject with STORAGE_CLOSED. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      // Calls made before close finish first: blocking work, then the calls deferred behind it.
      while (this.failure === null && this.blocked) await this.unblocked();
      if (this.failure === null) await this.commit.barrier().catch(() => undefined);
      await this.commit.idle();
      await this.store.spare.dispose();
      this.store.closeAll();
    })();
    return this.closing;
  }

  private appendToDisk(records: readonly LogRecord[]): Promise<void> {
    try {
      this.store.append(records);
    } catch (error) {
      return this.failWith(error);
    }
    return this.commit.barrier();
  }

  private truncateOnDisk(index: number): Promise<void> {
    const store = this.store;
    const segs = store.segments;
    let k = segs.length;
    while (k > 1 && segs[k - 1].firstIndex > index) k--;
    try {
      store.flushWrites();
      if (k === segs.length) {
        store.cut(store.active, index);
        return this.commit.barrier();
      }
    } catch (error) {
      return this.failWith(error);
    }
    // Later segments go first, durably, so no crash can leave a gap before them. The directory
    // fsync comes through a full round after the running one: data of earlier segments must be
    // durable before any directory change is (see sync-round.ts).
    return this.blocking(async () => {
      for (const seg of segs.splice(k).reverse()) store.removeFiles(seg);
      const keep = store.active;
      keep.sealed = false;
      store.unlink(keep.indexPath, false);
      await this.commit.idle();
      await syncRound(store, Promise.resolve());
      store.cut(keep, index);
    });
  }

  /** Runs multi-step disk work with rounds paused and later calls queued; resolves once durable. */
  private async blocking(work: () => Promise<void>): Promise<void> {
    this.blocked = true;
    this.commit.pause();
    try {
      await work();
    } catch (error) {
      return this.failWith(error);
    }
    this.blocked = false;
    const done = this.commit.barrier();
    this.pump();
    this.commit.resume();
    return done;
  }

  /**
   * A small round on the event loop (sync-round.ts), unless a recent one was slow: a busy disk
   * must not block the loop, or the node stops answering heartbeats while it waits.
   */
  private syncInline(store: SegmentStore, options: SegmentedLogOptions): boolean {
    const startMs = performance.now();
    if (startMs < this.inlineResumeAtMs) return false;
    const bytesMax = options.inlineSyncBytesMax;
    const done = syncRoundNow(
      store,
      this.leading ? Math.min(bytesMax, LEADER_INLINE_SYNC_BYTES_MAX) : bytesMax,
    );
    const endMs = performance.now();
    if (done && endMs - startMs > options.inlineSyncSlowMs)
      this.inlineResumeAtMs = endMs + INLINE_SYNC_COOLDOWN_MS;
    return done;
  }

  private pump(): void {
    while (!this.blocked && this.queue.length > 0) {
      const op = this.queue.shift()!;
      let done: Promise<void>;
      if (op.kind === 'append') done = this.appendToDisk(op.records);
      else if (op.kind === 'truncate') done = this.truncateOnDisk(op.index);
      else done = this.blocking(() => resetLog(this.store, op.nextIndex).then(() => undefined));
      done.then(op.resolve, op.reject);
    }
    if (this.blocked) return;
    const waiters = this.unblockWaiters;
    this.unblockWaiters = [];
    for (const w of waiters) w();
  }

  private refusal(): LogClusterError | null {
    if (this.failure !== null) return this.failure;
    if (this.closing !== null) return new LogClusterError('STORAGE_CLOSED', 'the log is closed');
    return null;
  }

  private checkReadable(): void {
    if (this.closing !== null) throw new LogClusterError('STORAGE_CLOSED', 'the log is closed');
  }

  /** Enters the failed state (first failure wins) and returns a rejection with the failure. */
  private failWith(error: unknown): Promise<never> {
    if (error instanceof AssertionError) throw error;
    const failure = isLogClusterError(error)
      ? (error as LogClusterError)
      : ioError(error, 'operating on', this.store.dir);
    if (this.failure === null) {
      this.failure = failure;
      this.commit.fail(failure);
      this.queue.rejectAll(failure);
      // A close waiting for the blocking work to end goes on.
      for (const w of this.unblockWaiters.splice(0)) w();
    }
    return Promise.reject(this.failure);
  }
}
