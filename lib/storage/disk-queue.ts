/**
 * Disk work waiting behind a blocking operation (a truncation that removes whole segments, or a
 * reset), in call order. The in-memory view already shows the effect of every queued call, so
 * reads of records that only queued appends hold are served from here.
 */
import { AssertionError } from '../assert.js';
import type { LogRecord } from './log-record.js';

/** The disk part of a call that had to wait. */
export type DiskOp =
  | { kind: 'append'; records: readonly LogRecord[] }
  | { kind: 'truncate'; index: number }
  | { kind: 'reset'; nextIndex: number };

/** A waiting call with the settlement of the promise its caller holds. */
export type QueuedOp = DiskOp & { resolve(): void; reject(error: unknown): void };

/** First index whose record a queued operation changes: reads at or above the lowest look here. */
function changesFrom(op: DiskOp): number {
  if (op.kind === 'append') return op.records[0].index;
  if (op.kind === 'truncate') return op.index + 1;
  return 0;
}

/** The queue of waiting calls. */
export class DiskQueue {
  private readonly ops: QueuedOp[] = [];
  /** Lowest index whose current record is known only to the queue (Infinity when empty). */
  pendingFrom = Number.POSITIVE_INFINITY;

  /** Number of waiting calls. */
  get length(): number {
    return this.ops.length;
  }

  /** Queues `op`; the promise settles when its disk part is done and durable. */
  push(op: DiskOp): Promise<void> {
    this.pendingFrom = Math.min(this.pendingFrom, changesFrom(op));
    return new Promise((resolve, reject) => this.ops.push({ ...op, resolve, reject }));
  }

  /** Takes the oldest waiting call. */
  shift(): QueuedOp | undefined {
    const op = this.ops.shift();
    this.pendingFrom = Number.POSITIVE_INFINITY;
    for (const q of this.ops) this.pendingFrom = Math.min(this.pendingFrom, changesFrom(q));
    return op;
  }

  /** The newest queued version of record `index` (the caller knows it is in range and queued). */
  record(index: number): LogRecord {
    for (let i = this.ops.length - 1; i >= 0; i--) {
      const op = this.ops[i];
      if (op.kind !== 'append') continue;
      const at = index - op.records[0].index;
      if (at >= 0 && at < op.records.length) return op.records[at];
    }
    throw new AssertionError(`record ${index} is in range but neither cached, queued nor stored`);
  }

  /** Rejects every waiting call with `error`. */
  rejectAll(error: unknown): void {
    for (const op of this.ops.splice(0)) op.reject(error);
    this.pendingFrom = Number.POSITIVE_INFINITY;
  }
}
