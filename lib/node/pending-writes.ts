/**
 * Client writes the leader proposed and has not yet answered. A batch is answered when its last
 * entry is applied (every entry then committed on a majority and fsynced there), failed for sure
 * when another entry was committed at one of its indexes, and answered OUTCOME_UNKNOWN when its
 * deadline passes or the node stops (a retry with the same ids is always safe).
 */
import { LogClusterError } from '../errors.js';
import type { IndexFields } from './entries/payload.js';
import type { ApplyResult } from './state-machine.js';

/** Proposed entries waiting for their answer; beyond this the node answers 429 OVERLOADED. */
export const PENDING_WRITE_ENTRIES_MAX = 50_000;
/** How long a proposed write may wait for commit before the client is told the outcome is unknown. */
export const WRITE_TIMEOUT_MS = 10_000;

interface PendingBatch {
  readonly firstIndex: number;
  readonly term: number;
  readonly results: ApplyResult[];
  readonly deadlineMs: number;
  /** The proposed entries' index fields, in order (apply skips decoding them again). */
  readonly fields: readonly IndexFields[] | undefined;
  remaining: number;
  readonly resolve: (results: ApplyResult[]) => void;
  readonly reject: (error: LogClusterError) => void;
}

/** The leader's open proposals, by log index. */
export class PendingWrites {
  readonly #byIndex = new Map<number, PendingBatch>();
  readonly #batches = new Set<PendingBatch>();

  /** Entries waiting. */
  get size(): number {
    return this.#byIndex.size;
  }

  /** True when `count` more entries would exceed the bound. */
  full(count: number): boolean {
    return this.#byIndex.size + count > PENDING_WRITE_ENTRIES_MAX;
  }

  /**
   * Registers entries firstIndex..firstIndex+count-1 proposed in `term`; resolves in entry order.
   * `fields` (one per entry) are what apply will index for them: see fieldsOf.
   */
  add(
    firstIndex: number,
    count: number,
    term: number,
    nowMs: number,
    fields?: readonly IndexFields[],
  ): Promise<ApplyResult[]> {
    return new Promise((resolve, reject) => {
      const batch: PendingBatch = {
        firstIndex,
        term,
        results: new Array(count),
        deadlineMs: nowMs + WRITE_TIMEOUT_MS,
        fields,
        remaining: count,
        resolve,
        reject,
      };
      this.#batches.add(batch);
      for (let i = 0; i < count; i++) this.#byIndex.set(firstIndex + i, batch);
    });
  }

  /**
   * The index fields given to add() for the entry at `index` of `term`, or undefined. Only this
   * leader's own proposal can sit at (index, term) (Log Matching), so they describe that entry.
   */
  fieldsOf(index: number, term: number): IndexFields | undefined {
    const batch = this.#byIndex.get(index);
    if (batch === undefined || batch.term !== term) return undefined;
    return batch.fields?.[index - batch.firstIndex];
  }

  /** A normal entry was applied at `index` in `term` with `result`. */
  applied(index: number, term: number, result: ApplyResult): void {
    const batch = this.#byIndex.get(index);
    if (batch === undefined) return;
    this.#byIndex.delete(index);
    if (batch.term !== term) {
      this.#fail(batch, overwritten(index));
      return;
    }
    batch.results[index - batch.firstIndex] = result;
    if (--batch.remaining === 0) {
      this.#batches.delete(batch);
      batch.resolve(batch.results);
    }
  }

  /** Something other than our entry (a noop or config entry) was committed at `index`. */
  superseded(index: number): void {
    const batch = this.#byIndex.get(index);
    if (batch !== undefined) this.#fail(batch, overwritten(index));
  }

  /** Fails every batch whose deadline has passed. Called on every clock tick. */
  expire(nowMs: number): void {
    for (const batch of this.#batches) {
      if (batch.deadlineMs <= nowMs) {
        this.#fail(
          batch,
          new LogClusterError(
            'OUTCOME_UNKNOWN',
            `No commit within ${WRITE_TIMEOUT_MS} ms; retry with the same id`,
          ),
        );
      }
    }
  }

  /** Fails everything (the node is stopping). */
  failAll(error: LogClusterError): void {
    for (const batch of [...this.#batches]) this.#fail(batch, error);
  }

  /**
   * The disk failed: batches starting after `persistedIndex` were never persisted nor sent, so
   * they get the definite `notStored`; earlier ones may still commit elsewhere: `unknown`.
   */
  failAfterDiskFault(persistedIndex: number, notStored: LogClusterError, unknown: LogClusterError): void {
    for (const batch of [...this.#batches])
      this.#fail(batch, batch.firstIndex > persistedIndex ? notStored : unknown);
  }

  #fail(batch: PendingBatch, error: LogClusterError): void {
    if (!this.#batches.delete(batch)) return;
    for (let i = 0; i < batch.results.length; i++) {
      if (this.#byIndex.get(batch.firstIndex + i) === batch) this.#byIndex.delete(batch.firstIndex + i);
    }
    batch.reject(error);
  }
}

function overwritten(index: number): LogClusterError {
  return new LogClusterError(
    'NOT_LEADER',
    `Leadership changed before entry ${index} committed; it was not stored (retry with the same id)`,
  );
}
