/**
 * The tail of the log that exists only in memory: entries (and at most one snapshot) appended
 * but not yet reported persisted by advance(). It covers indexes >= offset; below offset the
 * LogStorage is authoritative. "In progress" marks what a Ready already handed to the driver, so
 * the next Ready carries only what is new (or what a truncation rewrote).
 */
import { assert } from '../assert.js';
import type { Entry, Snapshot } from './types.js';

/** Unpersisted entries and snapshot. */
export class Unstable {
  /** A snapshot received from the leader and not yet persisted. */
  snapshot: Snapshot | null = null;
  /** True once `snapshot` was handed out in a Ready. */
  snapshotInProgress = false;
  entries: Entry[] = [];
  /** Index of entries[0] (or where the next entry goes when empty). */
  offset: number;
  /** Entries with index < offsetInProgress were handed out in a Ready. */
  offsetInProgress: number;

  constructor(offset: number) {
    this.offset = offset;
    this.offsetInProgress = offset;
  }

  /** Last unstable index, or undefined when nothing unstable is held. */
  lastIndex(): number | undefined {
    if (this.entries.length > 0) return this.offset + this.entries.length - 1;
    return this.snapshot?.index;
  }

  /** Term of `index` if this structure knows it (undefined: ask storage, or absent). */
  term(index: number): number | undefined {
    if (index < this.offset)
      return this.snapshot !== null && this.snapshot.index === index ? this.snapshot.term : undefined;
    return this.entries[index - this.offset]?.term;
  }

  /** Entries in [lo, hi), all of which must be held here. */
  slice(lo: number, hi: number): Entry[] {
    assert(
      lo >= this.offset && hi <= this.offset + this.entries.length,
      `unstable slice [${lo}, ${hi}) out of range`,
    );
    return this.entries.slice(lo - this.offset, hi - this.offset);
  }

  /** Appends `entries`, first dropping every held entry at or after entries[0].index. */
  truncateAndAppend(entries: readonly Entry[]): void {
    const from = entries[0].index;
    if (from === this.offset + this.entries.length) {
      this.entries.push(...entries);
    } else if (from <= this.offset) {
      this.entries = entries.slice();
      this.offset = from;
    } else {
      this.entries = this.entries.slice(0, from - this.offset).concat(entries);
    }
    this.offsetInProgress = Math.min(this.offsetInProgress, from);
  }

  /** True when some entry was not yet handed out in a Ready. */
  hasUnhanded(): boolean {
    return this.offsetInProgress < this.offset + this.entries.length;
  }

  /** Entries not yet handed out in a Ready. */
  toPersist(): Entry[] {
    return this.entries.slice(Math.max(0, this.offsetInProgress - this.offset));
  }

  /** Marks everything held as handed out in a Ready. */
  acceptInProgress(): void {
    this.offsetInProgress = this.offset + this.entries.length;
    if (this.snapshot !== null) this.snapshotInProgress = true;
  }

  /** The driver persisted entries through (index, term): drop them, unless a truncation replaced them since. */
  stableTo(index: number, term: number): void {
    if (index < this.offset || this.term(index) !== term) return;
    this.entries = this.entries.slice(index + 1 - this.offset);
    this.offset = index + 1;
    this.offsetInProgress = Math.max(this.offsetInProgress, this.offset);
  }

  /** The driver persisted the snapshot at `index`. */
  stableSnapTo(index: number): void {
    if (this.snapshot !== null && this.snapshot.index === index) {
      this.snapshot = null;
      this.snapshotInProgress = false;
    }
  }

  /** Replaces everything with `snapshot` (the log restarts after it). */
  restore(snapshot: Snapshot): void {
    this.snapshot = snapshot;
    this.snapshotInProgress = false;
    this.entries = [];
    this.offset = snapshot.index + 1;
    this.offsetInProgress = this.offset;
  }
}
