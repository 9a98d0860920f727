/**
 * The most recently appended records, kept in memory in a ring: the consensus core re-reads the
 * log's tail constantly (sending entries to followers, applying committed ones), and these reads
 * then cost no I/O and no checksum. Bounded by a record count and a payload byte total.
 */
import type { LogRecord } from './log-record.js';

/** A contiguous run of records [first, next) with the newest ones kept. */
export class TailCache {
  private readonly ring: Array<LogRecord | undefined>;
  private readonly mask: number;
  private first = 1;
  private next = 1;
  private bytes = 0;

  /** `recordsMax` is rounded up to a power of two; `bytesMax` bounds the payload bytes held. */
  constructor(
    recordsMax: number,
    private readonly bytesMax: number,
  ) {
    let size = 1;
    while (size < recordsMax) size *= 2;
    this.ring = new Array(size).fill(undefined);
    this.mask = size - 1;
  }

  /** Adds the record following the newest one (any other index restarts the cache there). */
  push(record: LogRecord): void {
    if (record.index !== this.next) this.clear(record.index);
    if (this.next - this.first === this.ring.length) this.evictOldest();
    this.ring[record.index & this.mask] = record;
    this.next = record.index + 1;
    this.bytes += record.payload.length;
    while (this.bytes > this.bytesMax && this.next - this.first > 1) this.evictOldest();
  }

  /** The cached record at `index`, or undefined. */
  get(index: number): LogRecord | undefined {
    if (index < this.first || index >= this.next) return undefined;
    return this.ring[index & this.mask];
  }

  /** Lowest cached index (equals `end` when empty). */
  get start(): number {
    return this.first;
  }

  /** One past the highest cached index. */
  get end(): number {
    return this.next;
  }

  /** Forgets records after `index`. */
  truncateAfter(index: number): void {
    while (this.next > this.first && this.next - 1 > index) {
      this.next--;
      const slot = this.next & this.mask;
      this.bytes -= this.ring[slot]!.payload.length;
      this.ring[slot] = undefined;
    }
    if (this.next === this.first) this.clear(index + 1);
  }

  /** Forgets records before `index`. */
  dropBefore(index: number): void {
    while (this.first < this.next && this.first < index) this.evictOldest();
  }

  /** Empties the cache; the next push is expected at `nextIndex`. */
  clear(nextIndex: number): void {
    this.ring.fill(undefined);
    this.first = nextIndex;
    this.next = nextIndex;
    this.bytes = 0;
  }

  private evictOldest(): void {
    const slot = this.first & this.mask;
    this.bytes -= this.ring[slot]!.payload.length;
    this.ring[slot] = undefined;
    this.first++;
  }
}
