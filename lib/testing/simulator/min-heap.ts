/**
 * A binary min-heap ordered by (time, seq). The simulator's queues are keyed this way so that two
 * items due at the same time always come out in the order they were pushed: ties never depend
 * on heap layout, which keeps every run of a seed identical.
 */

/** What the heap orders: a due time, then a unique, increasing sequence number. */
export interface Timed {
  readonly time: number;
  readonly seq: number;
}

/** A min-heap of Timed items; pop() returns the earliest (time, seq). */
export class MinHeap<T extends Timed> {
  private readonly items: T[] = [];

  /** Number of queued items. */
  get size(): number {
    return this.items.length;
  }

  /** The earliest item, without removing it. */
  peek(): T | undefined {
    return this.items[0];
  }

  /** Adds `item`. */
  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  /** Removes and returns the earliest item. */
  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < items.length && before(items[left], items[least])) least = left;
      if (right < items.length && before(items[right], items[least])) least = right;
      if (least === i) break;
      [items[i], items[least]] = [items[least], items[i]];
      i = least;
    }
    return top;
  }

  /** Removes every item. */
  clear(): void {
    this.items.length = 0;
  }
}

function before(a: Timed, b: Timed): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
