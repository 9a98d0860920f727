/**
 * A growable typed array addressed by a monotonically increasing key (a sequence number or a list
 * position) whose prefix can be dropped. The building block of every index: 1-8 bytes per value
 * instead of a JS object per entry, and retention frees memory by compacting the live suffix.
 */

import { assert } from '../../assert.js';

/** The typed arrays a column can be backed by. */
export type Typed = Float64Array | Uint32Array | Uint8Array;

/** Keys [start, end) are live. Appends go at `end`; dropBefore moves `start`. */
export class NumberColumn {
  #make: (length: number) => Typed;
  #data: Typed;
  /** Key of #data[0]. */
  #base = 0;
  #start = 0;
  #end = 0;

  constructor(make: (length: number) => Typed, capacity = 16, firstKey = 0) {
    this.#make = make;
    this.#data = make(capacity);
    this.#base = firstKey;
    this.#start = firstKey;
    this.#end = firstKey;
  }

  /** First live key. */
  get start(): number {
    return this.#start;
  }

  /** One past the last key. */
  get end(): number {
    return this.#end;
  }

  /** Live values. */
  get length(): number {
    return this.#end - this.#start;
  }

  /** Bytes held by the backing array (for stats). */
  get bytes(): number {
    return this.#data.byteLength;
  }

  /** The value at a live key. Unchecked on the hot path: callers stay in [start, end). */
  at(key: number): number {
    return this.#data[key - this.#base];
  }

  /** Overwrites the value at a live key. */
  set(key: number, value: number): void {
    this.#data[key - this.#base] = value;
  }

  /** Appends a value; returns its key. */
  push(value: number): number {
    if (this.#end - this.#base === this.#data.length) this.#makeRoom();
    this.#data[this.#end - this.#base] = value;
    return this.#end++;
  }

  /**
   * Appends many values at once (a checkpoint being loaded): one copy, and room for `slack` more
   * values so the next pushes do not double a freshly loaded array at once.
   */
  pushAll(values: ArrayLike<number>, slack = 0): void {
    const live = this.#end - this.#start;
    if (this.#end - this.#base + values.length > this.#data.length) {
      this.#compact(Math.max(16, live + values.length + slack));
    }
    this.#data.set(values, this.#end - this.#base);
    this.#end += values.length;
  }

  /**
   * Copies the values of keys [from, to) into `out` at `at`. Values never change once pushed, so
   * copying a range in several calls while pushes go on is exact, as long as no key of it was
   * dropped: returns false (copying nothing) when `from` is below the live start.
   */
  copyTo(from: number, to: number, out: Typed, at: number): boolean {
    if (from < this.#start || to > this.#end) return false;
    out.set(this.#data.subarray(from - this.#base, to - this.#base), at);
    return true;
  }

  /** The live values [start, end) as a view: valid only until the column next changes. */
  view(): Typed {
    return this.#data.subarray(this.#start - this.#base, this.#end - this.#base);
  }

  /** Forgets every key below `key` (clamped to [start, end]). */
  dropBefore(key: number): void {
    this.#start = Math.min(Math.max(key, this.#start), this.#end);
    if (this.#start - this.#base <= this.#data.length / 2) return;
    const live = this.#end - this.#start;
    // Give memory back when retention left the array mostly empty.
    const capacity = live * 4 < this.#data.length ? Math.max(16, live * 2) : this.#data.length;
    this.#compact(capacity);
  }

  /** First key in [from, to) whose value is >= `value`, given the values are ascending there. */
  lowerBound(value: number, from = this.#start, to = this.#end): number {
    let lo = from;
    let hi = to;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#data[mid - this.#base] < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #makeRoom(): void {
    const live = this.#end - this.#start;
    // Compact in place when at least half is dead; otherwise double.
    this.#compact(live * 2 <= this.#data.length ? this.#data.length : this.#data.length * 2);
  }

  #compact(capacity: number): void {
    const live = this.#end - this.#start;
    assert(capacity >= live, 'a column never shrinks below its live values');
    const from = this.#start - this.#base;
    if (capacity === this.#data.length) {
      this.#data.copyWithin(0, from, from + live);
    } else {
      const data = this.#make(capacity);
      data.set(this.#data.subarray(from, from + live));
      this.#data = data;
    }
    this.#base = this.#start;
  }
}

/** A column of Float64 values (Raft indexes, timestamps). */
export function float64Column(capacity?: number, firstKey?: number): NumberColumn {
  return new NumberColumn((n) => new Float64Array(n), capacity, firstKey);
}

/** A column of Uint32 values (sequence numbers in posting lists). */
export function uint32Column(capacity?: number, firstKey?: number): NumberColumn {
  return new NumberColumn((n) => new Uint32Array(n), capacity, firstKey);
}

/** A column of bytes (level codes). */
export function uint8Column(capacity?: number, firstKey?: number): NumberColumn {
  return new NumberColumn((n) => new Uint8Array(n), capacity, firstKey);
}
