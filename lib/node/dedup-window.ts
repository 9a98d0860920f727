/**
 * The idempotency window: which client ids were applied recently, and at which index. Decided at
 * apply time from replicated data only — the entries' own accept clocks, never the local clock —
 * so every replica calls the same entries duplicates. Bounded by count and by age; a retry that
 * arrives after its first copy left the window is stored again (docs/api.md says so).
 */

import { assert } from '../assert.js';
import { IdMap } from './indexing/id-map.js';
import { hashId } from './indexing/id-table.js';

/** Ids remembered: ~100 bytes each (10 MB); covers ~100 s of retries at 1,000 writes/s. */
export const DEDUP_WINDOW_ENTRIES_MAX = 100_000;

/** Age after which an id is forgotten: a day covers clients that buffer across an outage. */
export const DEDUP_WINDOW_AGE_MS = 24 * 60 * 60 * 1000;

/** Where the first copy of an id was stored. */
export interface DedupHit {
  readonly index: number;
  readonly term: number;
}

/**
 * The encoded window. Version 2 stores index, term and accept time as deltas from the previous
 * id (small numbers), so a full window of ID_BYTES_MAX ids stays well under the transport's
 * FRAME_BYTES_MAX when it travels in a Raft snapshot; version 1 (absolute values) still restores.
 */
interface WindowState {
  readonly v: 1 | 2;
  readonly clockMs: number;
  readonly ids: string[];
  readonly index: number[];
  readonly term: number[];
  readonly at: number[];
}

/** A window's contents oldest first, as plain arrays (a local checkpoint: lib/node/checkpoint.ts). */
export interface DedupEntries {
  readonly clockMs: number;
  readonly ids: readonly string[];
  readonly index: Float64Array;
  readonly term: Float64Array;
  readonly at: Float64Array;
}

/**
 * A ring of (id, index, term, acceptedAtMs) in apply order plus a map id -> ring slot. The window's
 * clock is the highest accept time applied so far, so age eviction is deterministic.
 */
export class DedupWindow {
  readonly entriesMax: number;
  readonly ageMs: number;
  #slotById = new IdMap();
  #ids: string[] = [];
  /** hashId of each slot's id: the IdMap key, kept to delete it without hashing again. */
  #hashes: number[] = [];
  #index: number[] = [];
  #term: number[] = [];
  #at: number[] = [];
  #head = 0;
  #size = 0;
  #clockMs = 0;

  constructor(entriesMax = DEDUP_WINDOW_ENTRIES_MAX, ageMs = DEDUP_WINDOW_AGE_MS) {
    assert(Number.isSafeInteger(entriesMax) && entriesMax > 0, 'the dedup window holds at least one id');
    assert(ageMs > 0, 'the dedup window has a positive age');
    this.entriesMax = entriesMax;
    this.ageMs = ageMs;
  }

  /** Ids currently remembered. */
  get size(): number {
    return this.#size;
  }

  /** Index of the newest remembered first copy (0 when empty). */
  get lastIndex(): number {
    return this.#size === 0 ? 0 : this.#index[(this.#head + this.#size - 1) % this.entriesMax];
  }

  /** The window's clock: the highest accept time seen (epoch ms). */
  get clockMs(): number {
    return this.#clockMs;
  }

  /**
   * Advances the window's clock to `acceptedAtMs` (if later), forgets what aged out, and returns
   * the first copy of `id` if it is still remembered.
   */
  check(id: string, acceptedAtMs: number): DedupHit | undefined {
    return this.#check(id, hashId(id), acceptedAtMs);
  }

  #check(id: string, hash: number, acceptedAtMs: number): DedupHit | undefined {
    if (acceptedAtMs > this.#clockMs) {
      this.#clockMs = acceptedAtMs;
      this.#evictOlderThan(acceptedAtMs - this.ageMs);
    }
    const slot = this.#slotById.get(id, hash);
    return slot < 0 ? undefined : { index: this.#index[slot], term: this.#term[slot] };
  }

  /** Only the lookup: no clock movement (reads use it to tell COMPACTED from NOT_FOUND). */
  peek(id: string): DedupHit | undefined {
    const slot = this.#slotById.get(id, hashId(id));
    return slot < 0 ? undefined : { index: this.#index[slot], term: this.#term[slot] };
  }

  /**
   * The apply-time decision for one entry: check() then, for a first copy, add(). Returns the first
   * copy when `id` is a duplicate. The state machine and retention's replay both decide with this
   * one method, so a window rebuilt from the log equals the one apply built.
   */
  observe(id: string, index: number, term: number, acceptedAtMs: number): DedupHit | undefined {
    const hash = hashId(id);
    const first = this.#check(id, hash, acceptedAtMs);
    if (first === undefined) this.#insert(id, hash, index, term, acceptedAtMs);
    return first;
  }

  /** Remembers a first copy; call after check() returned undefined for the same id. */
  add(id: string, index: number, term: number, acceptedAtMs: number): void {
    this.#insert(id, hashId(id), index, term, acceptedAtMs);
  }

  /** Remembers a first copy (IdMap.add asserts the id is new). */
  #insert(id: string, hash: number, index: number, term: number, acceptedAtMs: number): void {
    if (this.#size === this.entriesMax) this.#evictHead();
    const slot = (this.#head + this.#size) % this.entriesMax;
    this.#ids[slot] = id;
    this.#hashes[slot] = hash;
    this.#index[slot] = index;
    this.#term[slot] = term;
    this.#at[slot] = acceptedAtMs;
    this.#slotById.add(id, hash, slot);
    this.#size++;
  }

  #evictOlderThan(cutoffMs: number): void {
    while (this.#size > 0 && this.#at[this.#head] < cutoffMs) this.#evictHead();
  }

  #evictHead(): void {
    this.#slotById.delete(this.#ids[this.#head], this.#hashes[this.#head]);
    this.#ids[this.#head] = '';
    this.#head = (this.#head + 1) % this.entriesMax;
    this.#size--;
  }

  /** The window as bytes (JSON, version 2), oldest first: part of the state machine's snapshot. */
  encode(): Uint8Array {
    const state: WindowState = { v: 2, clockMs: this.#clockMs, ids: [], index: [], term: [], at: [] };
    let index = 0;
    let term = 0;
    let at = 0;
    for (let i = 0; i < this.#size; i++) {
      const slot = (this.#head + i) % this.entriesMax;
      state.ids.push(this.#ids[slot]);
      state.index.push(this.#index[slot] - index);
      state.term.push(this.#term[slot] - term);
      state.at.push(this.#at[slot] - at);
      index = this.#index[slot];
      term = this.#term[slot];
      at = this.#at[slot];
    }
    return Buffer.from(JSON.stringify(state), 'utf8');
  }

  /** The contents, oldest first, copied: a few ms for a full window, so apply is not held up. */
  exportEntries(): DedupEntries {
    const n = this.#size;
    const out = {
      clockMs: this.#clockMs,
      ids: new Array<string>(n),
      index: new Float64Array(n),
      term: new Float64Array(n),
      at: new Float64Array(n),
    };
    for (let i = 0; i < n; i++) {
      const slot = (this.#head + i) % this.entriesMax;
      out.ids[i] = this.#ids[slot];
      out.index[i] = this.#index[slot];
      out.term[i] = this.#term[slot];
      out.at[i] = this.#at[slot];
    }
    return out;
  }

  /** Replaces the window with exportEntries() output; throws RangeError when it is malformed. */
  importEntries(entries: DedupEntries): void {
    const n = entries.ids.length;
    if (entries.index.length !== n || entries.term.length !== n || entries.at.length !== n) {
      throw new RangeError('dedup window arrays differ in length');
    }
    this.#slotById = new IdMap();
    this.#ids = [];
    this.#hashes = [];
    this.#index = [];
    this.#term = [];
    this.#at = [];
    this.#head = 0;
    this.#size = 0;
    this.#clockMs = entries.clockMs;
    for (let i = 0; i < n; i++) {
      if (typeof entries.ids[i] !== 'string') throw new RangeError('a dedup window id is not a string');
      if (this.#slotById.get(entries.ids[i], hashId(entries.ids[i])) >= 0) continue;
      this.add(entries.ids[i], entries.index[i], entries.term[i], entries.at[i]);
    }
    this.#evictOlderThan(this.#clockMs - this.ageMs);
  }

  /** Replaces the window with one encode() produced (possibly on another replica). */
  restore(bytes: Uint8Array): void {
    const state = JSON.parse(Buffer.from(bytes).toString('utf8')) as WindowState;
    assert(
      (state.v === 1 || state.v === 2) && Array.isArray(state.ids),
      'a dedup window snapshot has version 1 or 2',
    );
    // Version 2 stores deltas from the previous id; version 1 absolute values.
    const n = state.ids.length;
    const entries = {
      clockMs: state.clockMs,
      ids: state.ids,
      index: new Float64Array(n),
      term: new Float64Array(n),
      at: new Float64Array(n),
    };
    const deltas = state.v === 2;
    for (let i = 0; i < n; i++) {
      const previous = deltas && i > 0 ? i - 1 : -1;
      entries.index[i] = state.index[i] + (previous >= 0 ? entries.index[previous] : 0);
      entries.term[i] = state.term[i] + (previous >= 0 ? entries.term[previous] : 0);
      entries.at[i] = state.at[i] + (previous >= 0 ? entries.at[previous] : 0);
    }
    this.importEntries(entries);
  }
}
