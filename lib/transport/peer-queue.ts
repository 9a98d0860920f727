/**
 * The bounded FIFO of messages waiting for one peer: a ring buffer, so push and shift are O(1)
 * and memory never exceeds its capacity.
 */
import { assert } from '../assert.js';
import type { Message } from '../consensus/types.js';

/** A fixed-capacity FIFO of messages. `push` refuses (returns false) when full. */
export class PeerQueue {
  private readonly slots: (Message | undefined)[];
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    assert(Number.isInteger(capacity) && capacity > 0, 'queue capacity must be a positive integer');
    this.slots = new Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  /** Appends `m`; false (and nothing stored) when the queue is full. */
  push(m: Message): boolean {
    if (this.count === this.capacity) return false;
    this.slots[(this.head + this.count) % this.capacity] = m;
    this.count++;
    return true;
  }

  /** The oldest message, without removing it. */
  peek(): Message | undefined {
    return this.count === 0 ? undefined : this.slots[this.head];
  }

  /** Removes and returns the oldest message. */
  shift(): Message | undefined {
    if (this.count === 0) return undefined;
    const m = this.slots[this.head];
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.count--;
    return m;
  }

  /** Empties the queue; returns how many messages it held. */
  clear(): number {
    const dropped = this.count;
    while (this.count > 0) this.shift();
    return dropped;
  }
}
