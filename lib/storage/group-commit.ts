/**
 * Group commit: many callers, one flush. `barrier()` hands out a promise that the next sync round
 * settles; a round runs the flush supplied by the owner (write buffered bytes, fdatasync dirty
 * files, fsync the directory) and settles every promise handed out before it started.
 *
 * A round normally starts in a microtask, so every append made in the same turn of the event loop
 * joins it. Up to SYNC_ROUNDS_IN_FLIGHT_MAX rounds run at once: when one is in flight and
 * GROUP_BYTES_TARGET bytes are already waiting, the next starts at once, so the disk flushes one
 * group while the CPU frames the next (callers that arrive together no longer all wait in lock
 * step). Bytes waiting while every slot is busy are written into the page cache at once (in a
 * microtask, one write per group), so the next round only syncs.
 *
 * Rounds settle strictly in start order: a round's callers hear back only after every earlier
 * round succeeded. A round that will fsync the directory runs alone (no round before it still
 * running, none started beside it): its directory fsync makes every segment created so far
 * durable, so the data of every earlier segment must be durable first, which a round running
 * beside it could still be flushing. Rounds never start while paused (a structural change).
 *
 * A round that starts while no other runs may be done at once on the event loop (`roundNow`):
 * the owner does so for a small group, where the flush's latency is the disk's either way and
 * the thread pool's hand-off and wake-up back are two context switches per round (a third of
 * a lone write's latency on a loaded 2-core machine). Its callers are settled in the same turn.
 */

/** Rounds whose fdatasync may run at once: two overlap CPU and disk; more only add queueing. */
export const SYNC_ROUNDS_IN_FLIGHT_MAX = 2;

/** Bytes waiting that justify starting a round while another is in flight (32 KiB). */
export const GROUP_BYTES_TARGET = 32 * 1024;

interface Barrier {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

function newBarrier(): Barrier {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * One sync round. `previous` settles when every earlier round has: a round that changes the
 * directory must await it before its directory fsync (data of earlier segments first).
 */
export type SyncRound = (previous: Promise<void>) => Promise<void>;

/** What GroupCommit needs from the log it serves. */
export interface GroupCommitHooks {
  /** Makes everything written so far durable; its synchronous part runs at the start of the round. */
  round: SyncRound;
  /** Bytes framed and waiting for the next round. */
  pendingBytes(): number;
  /** True when the next round will fsync the directory (it then runs alone). */
  changesDirectory(): boolean;
  /**
   * Optional. Runs the round synchronously when the owner judges it small; false to leave it to
   * `round`. Called only while no round is running. Throws the round's failure.
   */
  roundNow?(): boolean;
  /** Writes the waiting bytes into the page cache now (while every round slot is busy). */
  writeAhead(): void;
  /** Hears of the first failure (a round or a write-ahead that failed). */
  onFailure(error: unknown): void;
}

/** Runs sync rounds on demand and settles the callers waiting for them. */
export class GroupCommit {
  private next: Barrier | null = null;
  private inFlight = 0;
  private tail: Promise<void> = Promise.resolve();
  private exclusiveInFlight = false;
  private scheduled = false;
  private paused = 0;
  private failure: unknown = null;

  constructor(private readonly hooks: GroupCommitHooks) {}

  /** A promise settled by the first round that starts after this call. */
  barrier(): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.next === null) {
      this.next = newBarrier();
      this.schedule();
    } else if (this.hooks.pendingBytes() >= GROUP_BYTES_TARGET) {
      const promise = this.next.promise;
      this.start();
      return promise;
    }
    return this.next.promise;
  }

  /** Holds back new rounds (running ones finish) until a matching `resume`. */
  pause(): void {
    this.paused++;
  }

  /** Lets rounds run again; starts one if callers are waiting. */
  resume(): void {
    this.paused--;
    if (this.next !== null) this.schedule();
  }

  /** Resolves once no round is running (pending barriers may remain). */
  async idle(): Promise<void> {
    while (this.inFlight > 0) await this.tail.catch(() => undefined);
  }

  /** Rejects every waiting caller and refuses new ones with `error`. */
  fail(error: unknown): void {
    if (this.failure !== null) return;
    this.failure = error;
    const next = this.next;
    this.next = null;
    next?.reject(error);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      if (this.start() || this.next === null || this.paused > 0 || this.failure !== null) return;
      // Every slot is busy: put the bytes in the page cache now, so the next round only syncs.
      try {
        this.hooks.writeAhead();
      } catch (error) {
        this.fail(error);
        this.hooks.onFailure(error);
      }
    });
  }

  /** Runs the round at once when the owner's `roundNow` takes it; true when it did (or failed). */
  private runNow(): boolean {
    const barrier = this.next!;
    try {
      if (!this.hooks.roundNow!()) return false;
    } catch (error) {
      this.next = null;
      barrier.reject(error);
      this.fail(error);
      this.hooks.onFailure(error);
      return true;
    }
    this.next = null;
    barrier.resolve();
    return true;
  }

  /** Starts a round if one may start; true when it did. */
  private start(): boolean {
    if (this.paused > 0 || this.inFlight >= SYNC_ROUNDS_IN_FLIGHT_MAX) return false;
    if (this.failure !== null || this.next === null) return false;
    const exclusive = this.hooks.changesDirectory();
    if (this.inFlight > 0 && (exclusive || this.exclusiveInFlight)) return false;
    if (this.inFlight === 0 && this.hooks.roundNow !== undefined && this.runNow()) return true;
    const barrier = this.next;
    this.next = null;
    const previous = this.tail;
    this.inFlight++;
    this.exclusiveInFlight = exclusive;
    const done = this.hooks.round(previous).then(() => previous);
    this.tail = done;
    done.then(
      () => {
        this.inFlight--;
        if (exclusive) this.exclusiveInFlight = false;
        barrier.resolve();
        if (this.next !== null) this.schedule();
      },
      (error: unknown) => {
        this.inFlight--;
        barrier.reject(error);
        this.fail(error);
        this.hooks.onFailure(error);
      },
    );
    return true;
  }
}
