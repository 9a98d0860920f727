/**
 * id -> sequence number, for reads by id over every live entry (the dedup window only covers
 * recent ones). Open addressing over two Uint32Arrays holding a 32-bit hash and seq+1: 8 bytes per
 * slot, at most half full, so 16-48 bytes per entry instead of a Map of strings (~100 bytes). Ids
 * themselves are not kept: a hit is confirmed by reading the entry (the log is the data).
 */

import { assert } from '../../assert.js';

/** Smallest table: 1,024 slots (8 KiB). */

/** Slots read per slice by exportSlots (~1-3 ms each): the longest it holds the event loop. */
export const EXPORT_SLICE_SLOTS = 1 << 19;
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

/** The live entries of an IdTable in slot order (see IdTable.exportSlots). */
export interface IdSlots {
  readonly hashes: Uint32Array;
  readonly seqs: Uint32Array;
}

/**
 * Slots for `live` entries after a rebuild: a power of two at least 3x their number, so the table
 * is 1/6-1/3 full then and rebuilt again at 1/2 (16-48 bytes per entry, and no rebuild storm).
 */
function slotsFor(live: number): number {
  let size = SLOTS_MIN;
  while (size < (live + 1) * 3) size *= 2;
  return size;
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
   * The entries of seqs below `endSeq` in slot order: what a checkpoint stores (8 bytes per
   * entry, not the table's 16-48); slot order makes fromSlots' inserts walk memory in sequence.
   * The table is read in slices with `pause()` between them, and the result is as of the call:
   * later adds (seqs >= endSeq) are skipped, and a rebuild replaces the arrays without touching
   * the ones being read.
   */
  async exportSlots(
    endSeq: number,
    pause: () => Promise<void>,
    sliceSlots = EXPORT_SLICE_SLOTS,
  ): Promise<IdSlots> {
    const seqs = this.#seqs;
    const hashes = this.#hashes;
    const first = this.#firstLiveSeq;
    const live = (seqPlusOne: number) => seqPlusOne > first && seqPlusOne <= endSeq;
    let count = 0;
    for (let from = 0; from < seqs.length; from += sliceSlots) {
      if (from > 0) await pause();
      const to = Math.min(seqs.length, from + sliceSlots);
      for (let slot = from; slot < to; slot++) if (live(seqs[slot])) count++;
    }
    const outHashes = new Uint32Array(count);
    const outSeqs = new Uint32Array(count);
    let at = 0;
    for (let from = 0; from < seqs.length; from += sliceSlots) {
      await pause();
      const to = Math.min(seqs.length, from + sliceSlots);
      for (let slot = from; slot < to; slot++) {
        if (!live(seqs[slot])) continue;
        outHashes[at] = hashes[slot];
        outSeqs[at++] = seqs[slot] - 1;
      }
    }
    return { hashes: outHashes, seqs: outSeqs };
  }

  /**
   * The table exportSlots() described, every seq below `firstLiveSeq` dead. Throws RangeError
   * when the description cannot be a table (then the caller rebuilds from the log instead).
   */
  static fromSlots(slots: IdSlots, firstLiveSeq: number): IdTable {
    const { hashes, seqs } = slots;
    if (hashes.length !== seqs.length) throw new RangeError('bad id table slots');
    // Sized as a rebuild would; inserting in the saved slot order still walks memory in sequence.
    const size = slotsFor(seqs.length);
    const mask = size - 1;
    const tableHashes = new Uint32Array(size);
    const tableSeqs = new Uint32Array(size);
    for (let i = 0; i < seqs.length; i++) {
      const seq = seqs[i];
      if (seq < firstLiveSeq || seq >= 0xffffffff) throw new RangeError('a dead or impossible seq');
      let slot = hashes[i] & mask;
      while (tableSeqs[slot] !== 0) slot = (slot + 1) & mask;
      tableHashes[slot] = hashes[i];
      tableSeqs[slot] = seq + 1;
    }
    const table = new IdTable();
    table.#hashes = tableHashes;
    table.#seqs = tableSeqs;
    table.#used = seqs.length;
    table.#firstLiveSeq = firstLiveSeq;
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

  /** Re-inserts the live slots into a table of slotsFor(live) slots. */
  #rebuild(): void {
    const hashes = this.#hashes;
    const seqs = this.#seqs;
    let live = 0;
    for (let i = 0; i < seqs.length; i++) if (seqs[i] !== 0 && seqs[i] - 1 >= this.#firstLiveSeq) live++;
    const size = slotsFor(live);
    this.#hashes = new Uint32Array(size);
    this.#seqs = new Uint32Array(size);
    for (let i = 0; i < seqs.length; i++) {
      if (seqs[i] !== 0 && seqs[i] - 1 >= this.#firstLiveSeq) this.#insert(hashes[i], seqs[i]);
    }
    this.#used = live;
  }
}
