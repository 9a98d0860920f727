/**
 * What one node has durably stored, as the checker sees it: the term and the chain digest of
 * every index from the snapshot point on. Rebuilt from storage at every (re)start and updated
 * only after a persist completes, so it never claims more than the disk holds.
 */
import type { Entry } from '../../lib/consensus/types.js';
import { chainDigest, EMPTY_CHAIN } from './digest.js';

/** Terms and chain digests of one node's persisted log. */
export class LogMirror {
  /** The snapshot point: entries <= base are compacted. */
  private base = 0;
  private baseTerm = 0;
  private baseDigest = EMPTY_CHAIN;
  private terms: number[] = [];
  private digests: number[] = [];

  /** Index of the last persisted entry. */
  get lastIndex(): number {
    return this.base + this.terms.length;
  }

  /** The snapshot point. */
  get snapshotIndex(): number {
    return this.base;
  }

  /** Term at `index`; undefined when compacted below the snapshot or past the end. */
  termAt(index: number): number | undefined {
    if (index === this.base) return this.baseTerm;
    if (index < this.base || index > this.lastIndex) return undefined;
    return this.terms[index - this.base - 1];
  }

  /** Chain digest at `index` (same range as termAt). */
  digestAt(index: number): number | undefined {
    if (index === this.base) return this.baseDigest;
    if (index < this.base || index > this.lastIndex) return undefined;
    return this.digests[index - this.base - 1];
  }

  /** Starts over at a snapshot point. */
  reset(index: number, term: number, digest: number): void {
    this.base = index;
    this.baseTerm = term;
    this.baseDigest = digest;
    this.terms = [];
    this.digests = [];
  }

  /** Stores `entries`, replacing any suffix they overlap (as RaftStorage.persist does). */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = entries[0].index;
    if (first <= this.base) throw new Error(`mirror: append at ${first} below snapshot ${this.base}`);
    if (first > this.lastIndex + 1) throw new Error(`mirror: gap before ${first} (last ${this.lastIndex})`);
    this.terms.length = first - this.base - 1;
    this.digests.length = first - this.base - 1;
    let digest = this.digestAt(first - 1) as number;
    for (const entry of entries) {
      digest = chainDigest(digest, entry);
      this.terms.push(entry.term);
      this.digests.push(digest);
    }
  }

  /** Forgets entries <= index (compaction); they stay summarized in the base digest. */
  compact(index: number): void {
    if (index <= this.base || index > this.lastIndex) return;
    const keep = index - this.base;
    this.baseTerm = this.terms[keep - 1];
    this.baseDigest = this.digests[keep - 1];
    this.terms = this.terms.slice(keep);
    this.digests = this.digests.slice(keep);
    this.base = index;
  }
}
