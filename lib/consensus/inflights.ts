/**
 * The bounded window of appends in flight to one follower (pipelining). Each slot holds the last
 * index an append carried; an ack for index i frees every slot <= i. When the window is full the
 * leader stops sending to that follower until acks free it: flow control for slow followers.
 */
import { assert } from '../assert.js';

/** In-flight appends to one follower, oldest first. */
export class Inflights {
  private readonly capacity: number;
  private readonly slots: number[];
  private start = 0;
  private count = 0;

  constructor(capacity: number) {
    assert(capacity >= 1, 'inflight capacity must be >= 1');
    this.capacity = capacity;
    this.slots = new Array<number>(capacity).fill(0);
  }

  get size(): number {
    return this.count;
  }

  full(): boolean {
    return this.count === this.capacity;
  }

  /** Records an append whose last entry is `lastIndex` (must not be below an earlier one). */
  add(lastIndex: number): void {
    assert(!this.full(), 'add to a full inflight window');
    if (this.count > 0) assert(lastIndex >= this.at(this.count - 1), 'inflight indexes must not decrease');
    this.slots[(this.start + this.count) % this.capacity] = lastIndex;
    this.count++;
  }

  /** Frees every append whose last index is <= `index` (acked). */
  freeLE(index: number): void {
    while (this.count > 0 && this.at(0) <= index) {
      this.start = (this.start + 1) % this.capacity;
      this.count--;
    }
  }

  /** Frees the oldest append: a heartbeat ack proves the follower is alive though some append was lost. */
  freeFirstOne(): void {
    if (this.count === 0) return;
    this.start = (this.start + 1) % this.capacity;
    this.count--;
  }

  reset(): void {
    this.start = 0;
    this.count = 0;
  }

  private at(i: number): number {
    return this.slots[(this.start + i) % this.capacity];
  }
}
