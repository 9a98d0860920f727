/**
 * The Raft clock: turns milliseconds into ticks. The ONLY place in the node that reads real time
 * for consensus purposes — the core itself counts ticks, so it stays deterministic.
 */

/** Calls `onTick` every `tickIntervalMs`, catching up (bounded) when the event loop was late. */
export class TickClock {
  private timer: NodeJS.Timeout | null = null;
  private lastMs = 0;

  /** Ticks delivered at most per timer callback, so a long stall (SIGSTOP) cannot flood the core. */
  static readonly CATCH_UP_TICKS_MAX = 3;

  constructor(
    private readonly tickIntervalMs: number,
    private readonly onTick: () => void,
  ) {}

  start(): void {
    if (this.timer) return;
    this.lastMs = performance.now();
    this.timer = setInterval(() => this.fire(), this.tickIntervalMs);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private fire(): void {
    const now = performance.now();
    const due = Math.floor((now - this.lastMs) / this.tickIntervalMs);
    const ticks = Math.max(1, Math.min(due, TickClock.CATCH_UP_TICKS_MAX));
    this.lastMs = due > TickClock.CATCH_UP_TICKS_MAX ? now : this.lastMs + ticks * this.tickIntervalMs;
    for (let i = 0; i < ticks; i++) this.onTick();
  }
}
