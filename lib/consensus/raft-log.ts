/**
 * One node's view of its log: the persisted part (LogStorage, below unstable.offset) joined with
 * the unpersisted tail (Unstable), plus the commit and apply cursors. Invariant:
 * applied <= committed <= lastIndex, and only persisted entries are ever handed out to apply.
 */
import { assert } from '../assert.js';
import type { Entry, LogStorage, Snapshot } from './types.js';
import { Unstable } from './unstable.js';

/** A position in the log: an index and the term of the entry there (0 when unknown). */
export interface LogPosition {
  readonly index: number;
  readonly term: number;
}

/** The log as the core sees it. */
export class RaftLog {
  readonly storage: LogStorage;
  readonly unstable: Unstable;
  /** Highest index known committed. */
  committed: number;
  /** Highest index the driver reported applied (advance()). */
  applied: number;
  /** Highest index handed out to apply (>= applied while a Ready is outstanding). */
  applying: number;

  constructor(storage: LogStorage, committed: number, applied: number) {
    this.storage = storage;
    this.unstable = new Unstable(storage.lastIndex() + 1);
    const first = storage.firstIndex();
    assert(committed <= this.lastIndex(), `stored commit ${committed} beyond last index ${this.lastIndex()}`);
    assert(
      applied >= first - 1 && applied <= committed,
      `applied ${applied} outside [${first - 1}, ${committed}]`,
    );
    this.committed = committed;
    this.applied = applied;
    this.applying = applied;
  }

  /** First index still held (after a snapshot or compaction). */
  firstIndex(): number {
    const snap = this.unstable.snapshot;
    return snap !== null ? snap.index + 1 : this.storage.firstIndex();
  }

  lastIndex(): number {
    return this.unstable.lastIndex() ?? this.storage.lastIndex();
  }

  lastTerm(): number {
    const term = this.term(this.lastIndex());
    assert(term !== undefined, 'the term of the last index is always known');
    return term;
  }

  /** Term at `index`; undefined when compacted away or past the end. */
  term(index: number): number | undefined {
    if (index < this.firstIndex() - 1 || index > this.lastIndex()) return undefined;
    if (index === 0) return 0;
    const held = this.unstable.term(index);
    if (held !== undefined || index >= this.unstable.offset) return held;
    return this.storage.term(index);
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** Raft §5.4.1: is a log ending at (lastIndex, lastTerm) at least as up to date as this one? */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());
  }

  /** Index of the first of `entries` that is absent or conflicts here; 0 when all are present. */
  findConflict(entries: readonly Entry[]): number {
    for (const entry of entries) if (!this.matchTerm(entry.index, entry.term)) return entry.index;
    return 0;
  }

  /**
   * The last position <= `index` whose term is <= `term`: every entry after it cannot match a log
   * whose entry at `index` has `term`. Stops (term 0) where the log is compacted.
   */
  findConflictByTerm(index: number, term: number): LogPosition {
    for (let i = Math.min(index, this.lastIndex()); i > 0; i--) {
      const t = this.term(i);
      if (t === undefined) return { index: i, term: 0 };
      if (t <= term) return { index: i, term: t };
    }
    return { index: 0, term: 0 };
  }

  /** Appends (truncating any suffix from entries[0].index). Committed entries are never rewritten. */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    assert(
      entries[0].index > this.committed,
      `append at ${entries[0].index} would rewrite committed ${this.committed}`,
    );
    assert(
      entries[0].index <= this.lastIndex() + 1,
      `append at ${entries[0].index} leaves a gap after ${this.lastIndex()}`,
    );
    this.unstable.truncateAndAppend(entries);
  }

  /**
   * Entries in [lo, hi) up to `maxBytes` of data (always at least one when lo < hi), or undefined
   * when lo is compacted away (the caller must fall back to a snapshot).
   */
  entries(lo: number, hi: number, maxBytes: number): Entry[] | undefined {
    if (lo < this.firstIndex()) return undefined;
    assert(hi <= this.lastIndex() + 1, `entries up to ${hi} past last index ${this.lastIndex()}`);
    if (lo >= hi) return [];
    const offset = this.unstable.offset;
    let result: Entry[] = [];
    if (lo < offset) {
      const storedHi = Math.min(hi, offset);
      result = this.storage.entries(lo, storedHi, maxBytes);
      assert(result.length > 0 && result[0].index === lo, `storage returned no entry at ${lo}`);
      if (result.length < storedHi - lo) return limitBytes(result, maxBytes);
    }
    if (hi > offset) result = result.concat(this.unstable.slice(Math.max(lo, offset), hi));
    return limitBytes(result, maxBytes);
  }

  commitTo(index: number): boolean {
    if (index <= this.committed) return false;
    assert(index <= this.lastIndex(), `commit ${index} beyond last index ${this.lastIndex()}`);
    this.committed = index;
    return true;
  }

  /** Highest index that is both persisted and committed: what may be applied. */
  applyLimit(): number {
    if (this.unstable.snapshot !== null) return this.applying;
    return Math.min(this.committed, this.unstable.offset - 1);
  }

  hasNextCommitted(): boolean {
    return this.applyLimit() > this.applying;
  }

  /** Committed, persisted entries not yet handed out, up to `maxBytes` (at least one). */
  nextCommitted(maxBytes: number): Entry[] {
    const limit = this.applyLimit();
    if (limit <= this.applying) return [];
    const entries = this.entries(this.applying + 1, limit + 1, maxBytes);
    assert(
      entries !== undefined,
      `committed entries after ${this.applying} were compacted before being applied`,
    );
    return entries;
  }

  /** The latest snapshot: the unpersisted one if any, else storage's. */
  snapshot(): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }

  /** Replaces the log with `snapshot`: everything up to its index is committed. */
  restore(snapshot: Snapshot): void {
    assert(snapshot.index > this.committed, 'restore only moves the commit forward');
    this.committed = snapshot.index;
    this.unstable.restore(snapshot);
  }
}

/** The longest prefix of `entries` within `maxBytes` of data, and never less than one entry. */
export function limitBytes(entries: Entry[], maxBytes: number): Entry[] {
  let bytes = 0;
  for (let i = 0; i < entries.length; i++) {
    bytes += entries[i].data.byteLength;
    if (bytes > maxBytes && i > 0) return entries.slice(0, i);
  }
  return entries;
}
