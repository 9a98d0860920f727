/**
 * A string -> non-negative integer map for the dedup window's hot path: open addressing with
 * linear probing over typed arrays, keyed by the caller's hashId(id). A Map<string, number>
 * hashes every fresh id string in the engine and chains its buckets; here the hash is one
 * JavaScript loop the caller computes once for a lookup, an insert and the later delete, and a
 * probe touches two typed arrays. Deletes shift later entries back (no tombstones), so a
 * long-running FIFO of inserts and deletes never degrades.
 */

import { assert } from '../../assert.js';

/** Buckets of a new map: small, as most maps in tests stay small. */
const BUCKETS_INITIAL = 64;

/** Load above which the table doubles: at most half full keeps linear probes short. */
const LOAD_MAX = 0.5;

/** Maps ids to values; every call passes `hash` = hashId(id) for the same id. */
export class IdMap {
  #hashes = new Uint32Array(BUCKETS_INITIAL);
  #values = new Int32Array(BUCKETS_INITIAL).fill(-1);
  #keys: string[] = new Array<string>(BUCKETS_INITIAL).fill('');
  #mask = BUCKETS_INITIAL - 1;
  #size = 0;

  /** Entries held. */
  get size(): number {
    return this.#size;
  }

  /** The value of `id`, or -1 when it has none. */
  get(id: string, hash: number): number {
    const bucket = this.#find(id, hash);
    return bucket < 0 ? -1 : this.#values[bucket];
  }

  /** Sets the value (>= 0) of an id the map does not hold yet. */
  add(id: string, hash: number, value: number): void {
    assert(value >= 0 && value <= 0x7fffffff, 'an IdMap value is a non-negative int32');
    if (this.#size + 1 > (this.#mask + 1) * LOAD_MAX) this.#grow();
    let bucket = hash & this.#mask;
    while (this.#values[bucket] >= 0) {
      assert(this.#hashes[bucket] !== hash || this.#keys[bucket] !== id, 'an id is added to an IdMap once');
      bucket = (bucket + 1) & this.#mask;
    }
    this.#hashes[bucket] = hash;
    this.#values[bucket] = value;
    this.#keys[bucket] = id;
    this.#size++;
  }

  /** Removes `id`; returns false when the map does not hold it. */
  delete(id: string, hash: number): boolean {
    let hole = this.#find(id, hash);
    if (hole < 0) return false;
    const mask = this.#mask;
    // Backward-shift deletion: move later entries of the probe run into the hole when their
    // home bucket does not lie cyclically in (hole, at].
    for (let at = (hole + 1) & mask; this.#values[at] >= 0; at = (at + 1) & mask) {
      const home = this.#hashes[at] & mask;
      const stays = hole <= at ? hole < home && home <= at : hole < home || home <= at;
      if (stays) continue;
      this.#hashes[hole] = this.#hashes[at];
      this.#values[hole] = this.#values[at];
      this.#keys[hole] = this.#keys[at];
      hole = at;
    }
    this.#values[hole] = -1;
    this.#keys[hole] = '';
    this.#size--;
    return true;
  }

  /** Removes every entry (keeps the table's size). */
  clear(): void {
    this.#values.fill(-1);
    this.#keys.fill('');
    this.#size = 0;
  }

  #find(id: string, hash: number): number {
    const mask = this.#mask;
    for (let bucket = hash & mask; this.#values[bucket] >= 0; bucket = (bucket + 1) & mask) {
      if (this.#hashes[bucket] === hash && this.#keys[bucket] === id) return bucket;
    }
    return -1;
  }

  #grow(): void {
    const hashes = this.#hashes;
    const values = this.#values;
    const keys = this.#keys;
    const buckets = hashes.length * 2;
    this.#hashes = new Uint32Array(buckets);
    this.#values = new Int32Array(buckets).fill(-1);
    this.#keys = new Array<string>(buckets).fill('');
    this.#mask = buckets - 1;
    this.#size = 0;
    for (let i = 0; i < values.length; i++) if (values[i] >= 0) this.add(keys[i], hashes[i], values[i]);
  }
}
