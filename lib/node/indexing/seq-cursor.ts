/**
 * Iteration over sequence numbers in query order (ascending or descending), for candidate
 * generation: every seq in a range, the seqs of one posting list, or the union of several.
 * `seek` lets a query skip ahead (a time zone that cannot match, or a cursor position).
 */

import type { NumberColumn } from './number-column.js';

/** Seqs in ascending (`asc`) or descending order, within a [lo, hi) window of seqs. */
export interface SeqCursor {
  /** Seqs still ahead (exact for ranges and lists; the sum for unions): the planner's cost. */
  readonly size: number;
  /** The next seq, or -1 when done. */
  next(): number;
  /** Skips so the next seq is not before `seq` in the cursor's order (asc: >= seq; desc: <= seq). */
  seek(seq: number): void;
}

/** Every seq in [lo, hi). */
export class RangeCursor implements SeqCursor {
  #lo: number;
  #hi: number;
  #asc: boolean;

  constructor(lo: number, hi: number, asc: boolean) {
    this.#lo = lo;
    this.#hi = hi;
    this.#asc = asc;
  }

  get size(): number {
    return Math.max(0, this.#hi - this.#lo);
  }

  next(): number {
    if (this.#lo >= this.#hi) return -1;
    return this.#asc ? this.#lo++ : --this.#hi;
  }

  seek(seq: number): void {
    if (this.#asc) this.#lo = Math.max(this.#lo, seq);
    else this.#hi = Math.min(this.#hi, seq + 1);
  }
}

/** The seqs of one posting list (ascending seqs stored by position) that fall in [lo, hi). */
export class PostingCursor implements SeqCursor {
  #list: NumberColumn;
  /** Positions [from, to) remain. */
  #from: number;
  #to: number;
  #asc: boolean;

  constructor(list: NumberColumn, lo: number, hi: number, asc: boolean) {
    this.#list = list;
    this.#from = list.lowerBound(lo);
    this.#to = list.lowerBound(hi, this.#from);
    this.#asc = asc;
  }

  get size(): number {
    return Math.max(0, this.#to - this.#from);
  }

  next(): number {
    if (this.#from >= this.#to) return -1;
    return this.#asc ? this.#list.at(this.#from++) : this.#list.at(--this.#to);
  }

  seek(seq: number): void {
    if (this.#asc) this.#from = this.#list.lowerBound(seq, this.#from, this.#to);
    else this.#to = this.#list.lowerBound(seq + 1, this.#from, this.#to);
  }

  /** True when `seq` is in the remaining window; narrows the window as seqs arrive in order. */
  has(seq: number): boolean {
    this.seek(seq);
    if (this.#from >= this.#to) return false;
    return (this.#asc ? this.#list.at(this.#from) : this.#list.at(this.#to - 1)) === seq;
  }
}

/** The merge of several cursors over disjoint seq sets (e.g. one posting list per level). */
export class UnionCursor implements SeqCursor {
  #cursors: SeqCursor[];
  #heads: number[];
  #asc: boolean;

  constructor(cursors: SeqCursor[], asc: boolean) {
    this.#cursors = cursors;
    this.#asc = asc;
    this.#heads = cursors.map((cursor) => cursor.next());
  }

  get size(): number {
    let size = 0;
    for (let i = 0; i < this.#cursors.length; i++)
      size += this.#cursors[i].size + (this.#heads[i] < 0 ? 0 : 1);
    return size;
  }

  next(): number {
    let best = -1;
    for (let i = 0; i < this.#heads.length; i++) {
      const head = this.#heads[i];
      if (head < 0) continue;
      if (best < 0 || (this.#asc ? head < this.#heads[best] : head > this.#heads[best])) best = i;
    }
    if (best < 0) return -1;
    const seq = this.#heads[best];
    this.#heads[best] = this.#cursors[best].next();
    return seq;
  }

  seek(seq: number): void {
    for (let i = 0; i < this.#cursors.length; i++) {
      const head = this.#heads[i];
      if (head < 0 || (this.#asc ? head >= seq : head <= seq)) continue;
      this.#cursors[i].seek(seq);
      this.#heads[i] = this.#cursors[i].next();
    }
  }
}
