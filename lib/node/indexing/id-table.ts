/**
 * id -> sequence number, for reads by id over every live entry (the dedup window only covers
 * recent ones). Open addressing over two Uint32Arrays holding a 32-bit hash and seq+1: 8 bytes per
 * slot, at most half full, so 16-32 bytes per entry instead of a Map of strings (~100 bytes). Ids
 * themselves are not kept: a hit is confirmed by reading the entry (the log is the data).
 */

import { assert } from '../../assert.js';

/** Smallest table: 1,024 slots (8 KiB). */
const SLOTS_MIN = 1024;

/** 32-bit FNV-1a over UTF-16 code units: fast, and good enough with confirmation on read. */
export function hashId(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A multimap hash -> seq. Seqs below `firstLiveSeq` are dead and vanish at the next rebuild. */
export class IdTable {
  #hashes = new Uint32Array(SLOTS_MIN);
  /** seq + 1; 0 marks an empty slot. */
  #seqs = new Uint32Array(SLOTS_MIN);
  #used = 0;
  #firstLiveSeq = 0;

  /** Slots in use (live or dead). */
  get used(): number {
    return this.#used;
  }

  /** Bytes held (for stats). */
  get bytes(): number {
    return this.#hashes.byteLength + this.#seqs.byteLength;
  }

  /** Records that the entry at `seq` has an id hashing to `hash`. */
  add(hash: number, seq: number): void {
    assert(seq + 1 <= 0xffffffff, 'sequence numbers fit in 32 bits');
    if ((this.#used + 1) * 2 > this.#seqs.length) this.#rebuild();
    this.#insert(hash, seq + 1);
    this.#used++;
  }

  /** The live seqs whose id hashes to `hash`, oldest first. */
  lookup(hash: number): number[] {
    const found: number[] = [];
    const mask = this.#seqs.length - 1;
    for (let slot = hash & mask; this.#seqs[slot] !== 0; slot = (slot + 1) & mask) {
      const seq = this.#seqs[slot] - 1;
      if (this.#hashes[slot] === hash && seq >= this.#firstLiveSeq) found.push(seq);
    }
    return found.sort((a, b) => a - b);
  }

  /**
   * The hash of every live seq in [from, to), by seq (out[seq - from]): what a checkpoint stores,
   * 4 bytes per entry instead of the table's 16-32. Every live seq in the range must be present.
   */
  hashesBySeq(from: number, to: number): Uint32Array {
    const out = new Uint32Array(to - from);
    const seqs = this.#seqs;
    const low = Math.max(from, this.#firstLiveSeq);
    for (let slot = 0; slot < seqs.length; slot++) {
      const seq = seqs[slot] - 1;
      if (seq >= low && seq < to) out[seq - from] = this.#hashes[slot];
    }
    return out;
  }

  /**
   * A table holding `hashes[i]` for seq `firstSeq + i` (the inverse of hashesBySeq), sized as a
   * rebuild would size it, so lookups behave exactly as in the table that was saved.
   */
  static fromHashes(hashes: Uint32Array, firstSeq: number): IdTable {
    const table = new IdTable();
    let size = SLOTS_MIN;
    while (size < (hashes.length + 1) * 2) size *= 2;
    table.#hashes = new Uint32Array(size);
    table.#seqs = new Uint32Array(size);
    for (let i = 0; i < hashes.length; i++) table.#insert(hashes[i], firstSeq + i + 1);
    table.#used = hashes.length;
    table.#firstLiveSeq = firstSeq;
    return table;
  }

  /** Forgets seqs below `seq` (lazily: their slots are reclaimed by the next rebuild). */
  dropBefore(seq: number): void {
    this.#firstLiveSeq = Math.max(this.#firstLiveSeq, seq);
  }

  #insert(hash: number, seqPlusOne: number): void {
    const mask = this.#seqs.length - 1;
    let slot = hash & mask;
    while (this.#seqs[slot] !== 0) slot = (slot + 1) & mask;
    this.#hashes[slot] = hash;
    this.#seqs[slot] = seqPlusOne;
  }

  /** Re-inserts the live slots into a table sized for 4x their number (load 1/4 after a rebuild). */
  #rebuild(): void {
    const hashes = this.#hashes;
    const seqs = this.#seqs;
    let live = 0;
    for (let i = 0; i < seqs.length; i++) if (seqs[i] !== 0 && seqs[i] - 1 >= this.#firstLiveSeq) live++;
    let size = SLOTS_MIN;
    while (size < (live + 1) * 4) size *= 2;
    this.#hashes = new Uint32Array(size);
    this.#seqs = new Uint32Array(size);
    for (let i = 0; i < seqs.length; i++) {
      if (seqs[i] !== 0 && seqs[i] - 1 >= this.#firstLiveSeq) this.#insert(hashes[i], seqs[i]);
    }
    this.#used = live;
  }
}
