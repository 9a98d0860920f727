/**
 * The history of a chaos run, after Jepsen: every operation with its invocation and completion
 * times (ms since the run started) and its outcome — `ok`, `fail` (definitely did not happen) or
 * `unknown` (may or may not have happened). The checker judges only this record and the final logs.
 */
import type { ReadConsistency } from '../../lib/index.js';
import type { FaultKind } from './options.js';

/** How an operation ended. */
export type Outcome = 'ok' | 'fail' | 'unknown';

/** One attempt of a write (a write is retried with the same ids until it is ok or gives up). */
export interface Attempt {
  readonly node: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly outcome: Outcome;
  /** The error code when not ok. */
  readonly code?: string;
}

/** One entry a write carries: unique id, unique value (its message). */
export interface WrittenEntry {
  readonly id: string;
  readonly value: string;
}

/** A write of one entry or a batch (one consensus round). */
export interface WriteOp {
  readonly kind: 'write';
  readonly n: number;
  readonly client: string;
  readonly invokeMs: number;
  completeMs: number;
  outcome: Outcome;
  readonly entries: readonly WrittenEntry[];
  /** For ok: the index each entry is stored at (the first copy's for a duplicate). */
  indexes: number[] | null;
  duplicate: boolean;
  readonly attempts: Attempt[];
}

/** What a read saw of one entry. */
export interface SeenEntry {
  readonly index: number;
  readonly id: string;
  readonly value: string;
}

/** GET /read/{id} on one node at one consistency level. */
export interface ReadOp {
  readonly kind: 'read';
  readonly n: number;
  readonly client: string;
  readonly node: string;
  readonly consistency: ReadConsistency;
  readonly invokeMs: number;
  completeMs: number;
  outcome: Outcome;
  readonly id: string;
  /** ok: the entry, or null for 404 NOT_FOUND. */
  seen: SeenEntry | null;
  code?: string;
}

/** GET /logs (the newest page, desc) on one node at one consistency level. */
export interface LogsOp {
  readonly kind: 'logs';
  readonly n: number;
  readonly client: string;
  readonly node: string;
  readonly consistency: ReadConsistency;
  readonly invokeMs: number;
  completeMs: number;
  outcome: Outcome;
  readonly limit: number;
  seen: SeenEntry[];
  code?: string;
}

/** Any operation. */
export type Op = WriteOp | ReadOp | LogsOp;

/** One fault the nemesis injected, from start to heal. */
export interface FaultRecord {
  readonly group: number;
  readonly kind: FaultKind;
  readonly node: string;
  /** Whether the node led when it was hit. */
  readonly wasLeader: boolean;
  readonly startMs: number;
  endMs: number | null;
}

/** Jepsen-style flat event: one per invocation and one per completion. */
export interface HistoryEvent {
  readonly time: number;
  readonly process: string;
  readonly type: 'invoke' | Outcome;
  readonly f: Op['kind'];
  readonly n: number;
  readonly value: unknown;
}

/** Collects operations and faults; times are ms since construction. */
export class History {
  readonly ops: Op[] = [];
  readonly faults: FaultRecord[] = [];
  readonly #t0 = performance.now();
  #n = 0;

  /** Milliseconds since the run started. */
  now(): number {
    return Math.round((performance.now() - this.#t0) * 10) / 10;
  }

  /** A fresh operation number. */
  next(): number {
    return ++this.#n;
  }

  add<T extends Op>(op: T): T {
    this.ops.push(op);
    return op;
  }

  /** Every invocation and completion in time order (what Jepsen calls the history). */
  events(): HistoryEvent[] {
    const events: HistoryEvent[] = [];
    for (const op of this.ops) {
      const input = op.kind === 'write' ? op.entries : op.kind === 'read' ? op.id : { limit: op.limit };
      const output =
        op.kind === 'write'
          ? { indexes: op.indexes, duplicate: op.duplicate, attempts: op.attempts }
          : op.kind === 'read'
            ? { node: op.node, consistency: op.consistency, seen: op.seen, code: op.code }
            : { node: op.node, consistency: op.consistency, seen: op.seen, code: op.code };
      events.push({
        time: op.invokeMs,
        process: op.client,
        type: 'invoke',
        f: op.kind,
        n: op.n,
        value: input,
      });
      events.push({
        time: op.completeMs,
        process: op.client,
        type: op.outcome,
        f: op.kind,
        n: op.n,
        value: output,
      });
    }
    return events.sort((a, b) => a.time - b.time || a.n - b.n);
  }
}
