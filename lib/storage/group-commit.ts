/**
 * Group commit: many callers, one flush. `barrier()` hands out a promise that the next sync round
 * settles; a round starts in a microtask (so every append made in the same turn of the event loop
 * joins it), runs the flush supplied by the owner (write buffered bytes, fdatasync dirty files,
 * fsync the directory), and settles every promise handed out before it started. Callers arriving
 * while a round runs wait for the next one, which starts as soon as the running one ends. At most
 * one round runs at a time; rounds never start while paused (a structural change is in progress).
 */

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

/** Runs sync rounds on demand and settles the callers waiting for them. */
export class GroupCommit {
  private next: Barrier | null = null;
  private running: Promise<void> | null = null;
  private scheduled = false;
  private paused = 0;
  private failure: unknown = null;

  /**
   * `round` makes everything written so far durable; its synchronous part (before its first await)
   * runs at the very start of the round. `onFailure` hears of the first round that rejects.
   */
  constructor(
    private readonly round: () => Promise<void>,
    private readonly onFailure: (error: unknown) => void,
  ) {}

  /** A promise settled by the first round that starts after this call. */
  barrier(): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.next === null) {
      this.next = newBarrier();
      this.schedule();
    }
    return this.next.promise;
  }

  /** Holds back new rounds (a running one finishes) until a matching `resume`. */
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
    while (this.running !== null) await this.running.catch(() => undefined);
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
    queueMicrotask(() => this.start());
  }

  private start(): void {
    this.scheduled = false;
    if (this.paused > 0 || this.running !== null || this.failure !== null || this.next === null) return;
    const barrier = this.next;
    this.next = null;
    const running = this.round();
    this.running = running;
    running.then(
      () => {
        this.running = null;
        barrier.resolve();
        if (this.next !== null) this.schedule();
      },
      (error: unknown) => {
        this.running = null;
        barrier.reject(error);
        this.fail(error);
        this.onFailure(error);
      },
    );
  }
}
