/**
 * The terms of the whole log in memory, as runs: [firstIndex, term] for each stretch of records
 * sharing a term. Raft terms never decrease along a log, so a log of any length with few
 * elections needs only a handful of runs, and termAt is a binary search with no I/O.
 */
import { assert } from '../assert.js';

/** Term runs of a log. Indexes outside the log are the caller's to range-check. */
export class TermRuns {
  private starts: number[] = [];
  private terms: number[] = [];

  /** Term of the last record, or 0 when there are no runs. */
  get lastTerm(): number {
    return this.terms.length === 0 ? 0 : this.terms[this.terms.length - 1];
  }

  /** Records that `index` (the next index of the log) has `term`; terms must not decrease. */
  append(index: number, term: number): void {
    const n = this.terms.length;
    if (n > 0 && this.terms[n - 1] === term) return;
    assert(n === 0 || this.terms[n - 1] < term, 'terms along the log never decrease');
    assert(n === 0 || this.starts[n - 1] < index, 'runs start at increasing indexes');
    this.starts.push(index);
    this.terms.push(term);
  }

  /** Term at `index` (which the caller knows is in the log): the run starting at or before it. */
  termAt(index: number): number {
    const starts = this.starts;
    let hi = starts.length - 1;
    if (hi < 0 || index < starts[0]) return 0;
    if (index >= starts[hi]) return this.terms[hi];
    let lo = 0;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid] <= index) lo = mid;
      else hi = mid - 1;
    }
    return this.terms[lo];
  }

  /** Forgets runs that start after `index` (the log was truncated to end at `index`). */
  truncateAfter(index: number): void {
    let n = this.starts.length;
    while (n > 0 && this.starts[n - 1] > index) n--;
    this.starts.length = n;
    this.terms.length = n;
  }

  /** Forgets runs that end before `index` (the log now starts at `index` and ends at `lastIndex`). */
  dropBefore(index: number, lastIndex: number): void {
    if (index > lastIndex) {
      this.clear();
      return;
    }
    let k = 0;
    while (k + 1 < this.starts.length && this.starts[k + 1] <= index) k++;
    this.starts.splice(0, k);
    this.terms.splice(0, k);
    if (this.starts.length > 0 && this.starts[0] < index) this.starts[0] = index;
  }

  /** Forgets everything. */
  clear(): void {
    this.starts.length = 0;
    this.terms.length = 0;
  }

  /** All runs, oldest first (index files, tests, diagnostics). */
  toArray(): Array<[number, number]> {
    return this.starts.map((s, i) => [s, this.terms[i]]);
  }
}
