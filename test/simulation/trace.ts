/**
 * The event trace of one run. Always keeps the last TRACE_TAIL_LINES events (formatted lazily,
 * so a passing run pays almost nothing); can also hash every line (the replay test compares
 * digests of two runs) or stream every line (--trace).
 */
import { createHash, type Hash } from 'node:crypto';

/** Lines of context a failure report prints: enough to see the last election and its fallout. */
export const TRACE_TAIL_LINES = 60;

/** ring: keep the tail only; hash: also digest every line; full: also print every line. */
export type TraceMode = 'ring' | 'hash' | 'full';

/** Records events as `time text` lines. */
export class Trace {
  private readonly tail: Array<() => string> = [];
  private next = 0;
  private readonly hash: Hash | undefined;
  /** Number of events recorded. */
  lines = 0;

  constructor(
    private readonly mode: TraceMode,
    private readonly sink: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {
    this.hash = mode === 'ring' ? undefined : createHash('sha256');
  }

  /** Records one event at `time`; `describe` is only called when the line is needed. */
  event(time: number, describe: () => string): void {
    this.lines++;
    const line = (): string => `${String(time).padStart(7)} ${describe()}`;
    if (this.mode !== 'ring') {
      const text = line();
      this.hash?.update(text).update('\n');
      if (this.mode === 'full') this.sink(text);
      this.keep(() => text);
    } else {
      this.keep(line);
    }
  }

  /** The last lines recorded, oldest first. */
  lastLines(): string[] {
    const n = this.tail.length;
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(this.tail[(this.next + i) % n]());
    return out;
  }

  /** Hex SHA-256 of every line so far (hash and full modes only). */
  digest(): string | undefined {
    return this.hash?.copy().digest('hex');
  }

  private keep(line: () => string): void {
    if (this.tail.length < TRACE_TAIL_LINES) {
      this.tail.push(line);
      return;
    }
    this.tail[this.next] = line;
    this.next = (this.next + 1) % TRACE_TAIL_LINES;
  }
}
