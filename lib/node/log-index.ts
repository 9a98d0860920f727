/**
 * The applied state machine's indexes: small numbers per entry, never the entry bodies (the Raft
 * log on disk is the data). Every indexed entry gets a sequence number (seq) in apply order;
 * columns map seq -> Raft index, timestamp and level; posting lists (ascending seqs) exist per
 * level, per source and per label pair; zone maps keep min/max timestamp per block of seqs so
 * time filters skip whole blocks; an id table finds entries by id.
 *
 * Memory per entry: 8 (index) + 8 (timestamp) + 1 (level) + 4 (level list) + 4 (source list)
 * + 4 per label + 16-32 (id table), plus growth slack: bench/query.ts measures ~76 bytes per
 * entry with two labels, about 75 MB for 1,000,000 entries.
 */

import { assert } from '../assert.js';
import { LEVELS, levelCode } from './entries/levels.js';
import type { IndexFields } from './entries/payload.js';
import { hashId, type IdSlots, IdTable } from './indexing/id-table.js';
import {
  float64Column,
  type NumberColumn,
  type Typed,
  uint8Column,
  uint32Column,
} from './indexing/number-column.js';

/**
 * A LogIndex as plain arrays (copies), for a local checkpoint. The level posting lists are not
 * kept: they follow from the level column. The id table keeps only its live slots.
 */
export interface LogIndexState {
  /** First live seq; the per-seq arrays below hold seqs [start, start + index.length). */
  readonly start: number;
  readonly index: Float64Array;
  readonly ts: Float64Array;
  readonly level: Uint8Array;
  readonly ids: IdSlots;
  /** Zone-map block of zoneMin[0] and zoneMax[0]. */
  readonly zoneStart: number;
  readonly zoneMin: Float64Array;
  readonly zoneMax: Float64Array;
  /** Posting lists of sources and label pairs (live seqs, ascending), in insertion order. */
  readonly terms: ReadonlyArray<readonly [string, Uint32Array]>;
  readonly unindexedThroughSeq: number;
}

/** Values copied per slice by exportState (~1-4 ms): the longest it holds the event loop. */
export const EXPORT_SLICE_VALUES = 1 << 19;

/** Room left in a loaded column (a quarter more) so the next appends do not double it at once. */
const LOAD_SLACK = 0.25;

/** Entries per zone-map block: 1,024 keeps the zone maps at 16 bytes per 1,024 entries. */
export const ZONE_ENTRIES = 1024;

/**
 * Distinct sources and label pairs with a posting list (~250 bytes each, 25 MB at the bound). A
 * high-cardinality label (a request id) stops getting lists at the bound; its filters then check
 * entry bodies instead, within the query's read budget.
 */
export const TERMS_MAX = 100_000;

/** The posting-list key of a source. */
export function sourceTerm(source: string): string {
  return `s\u0000${source}`;
}

/** The posting-list key of a label pair. */
export function labelTerm(key: string, value: string): string {
  return `l\u0000${key}\u0000${value}`;
}

/** Indexes over the applied, non-duplicate log entries. Seqs [start, end) are live. */
export class LogIndex {
  #index = float64Column(1024);
  #ts = float64Column(1024);
  #level = uint8Column(1024);
  #zoneMin = float64Column(16);
  #zoneMax = float64Column(16);
  #levels: NumberColumn[] = LEVELS.map(() => uint32Column(16));
  #terms = new Map<string, NumberColumn>();
  /** The last seq that carried a term left without a posting list (-1: none). */
  #unindexedThroughSeq = -1;
  #ids = new IdTable();
  #termsMax: number;
  /** The last source added and its term string: consecutive entries mostly share a source. */
  #lastSource = '';
  #lastSourceTerm = sourceTerm('');

  /** `termsMax` bounds the distinct source/label posting lists (default TERMS_MAX). */
  constructor(termsMax = TERMS_MAX) {
    this.#termsMax = termsMax;
  }

  /** First live seq. */
  get start(): number {
    return this.#index.start;
  }

  /** One past the last seq. */
  get end(): number {
    return this.#index.end;
  }

  /** Live indexed entries. */
  get size(): number {
    return this.#index.length;
  }

  /** Distinct sources and label pairs that have a posting list. */
  get terms(): number {
    return this.#terms.size;
  }

  /** Indexes the entry at Raft `index` (strictly above every indexed one); returns its seq. */
  add(index: number, fields: IndexFields): number {
    assert(this.#index.length === 0 || index > this.#index.at(this.#index.end - 1), 'indexes grow');
    const seq = this.#index.push(index);
    this.#ts.push(fields.timestampMs);
    const level = levelCode(fields.level);
    this.#level.push(level);
    this.#levels[level].push(seq);
    const block = Math.floor(seq / ZONE_ENTRIES);
    if (block === this.#zoneMin.end) {
      this.#zoneMin.push(fields.timestampMs);
      this.#zoneMax.push(fields.timestampMs);
    } else {
      if (fields.timestampMs < this.#zoneMin.at(block)) this.#zoneMin.set(block, fields.timestampMs);
      if (fields.timestampMs > this.#zoneMax.at(block)) this.#zoneMax.set(block, fields.timestampMs);
    }
    if (fields.source !== this.#lastSource) {
      this.#lastSource = fields.source;
      this.#lastSourceTerm = sourceTerm(fields.source);
    }
    this.#addTerm(this.#lastSourceTerm, seq);
    if (fields.labels !== undefined) {
      for (const key in fields.labels) this.#addTerm(labelTerm(key, fields.labels[key]), seq);
    }
    this.#ids.add(hashId(fields.id), seq);
    return seq;
  }

  #addTerm(term: string, seq: number): void {
    let list = this.#terms.get(term);
    if (list === undefined) {
      if (this.#terms.size >= this.#termsMax) {
        this.#unindexedThroughSeq = seq;
        return;
      }
      list = uint32Column(4);
      this.#terms.set(term, list);
    }
    list.push(seq);
  }

  /** Forgets every entry whose Raft index is below `index` (retention). */
  dropBefore(index: number): void {
    const seq = this.#index.lowerBound(index);
    if (seq <= this.start) return;
    this.#index.dropBefore(seq);
    this.#ts.dropBefore(seq);
    this.#level.dropBefore(seq);
    this.#zoneMin.dropBefore(Math.floor(seq / ZONE_ENTRIES));
    this.#zoneMax.dropBefore(Math.floor(seq / ZONE_ENTRIES));
    for (const list of this.#levels) list.dropBefore(list.lowerBound(seq));
    for (const [term, list] of this.#terms) {
      list.dropBefore(list.lowerBound(seq));
      if (list.length === 0) this.#terms.delete(term);
    }
    this.#ids.dropBefore(seq);
  }

  /**
   * The whole index as copies of its live arrays (see LogIndexState), as of the call: arrays are
   * copied in slices of EXPORT_SLICE_VALUES with `pause()` between them (adds meanwhile are left
   * out). Resolves undefined when retention dropped entries of the copy meanwhile (try later).
   */
  async exportState(
    pause: () => Promise<void> = async () => {},
    sliceValues = EXPORT_SLICE_VALUES,
  ): Promise<LogIndexState | undefined> {
    const start = this.start;
    const end = this.end;
    const columns: Array<[NumberColumn, number, number, Typed]> = [];
    const copy = <T extends Typed>(column: NumberColumn, from: number, to: number, out: T): T => {
      columns.push([column, from, to, out]);
      return out;
    };
    const lists = [...this.#terms].map(
      ([term, list]) => [term, copy(list, list.start, list.end, new Uint32Array(list.length))] as const,
    );
    const state = {
      start,
      index: copy(this.#index, start, end, new Float64Array(end - start)),
      ts: copy(this.#ts, start, end, new Float64Array(end - start)),
      level: copy(this.#level, start, end, new Uint8Array(end - start)),
      // Zone maps are small; a later add may widen the last zone: still a correct (looser) bound.
      zoneStart: this.#zoneMin.start,
      zoneMin: this.#zoneMin.view().slice() as Float64Array,
      zoneMax: this.#zoneMax.view().slice() as Float64Array,
      terms: lists,
      unindexedThroughSeq: this.#unindexedThroughSeq,
    };
    const ids = this.#ids.exportSlots(end, pause, sliceValues); // last: it may pause at once
    for (const [column, from, to, out] of columns) {
      for (let key = from; key < to; key += sliceValues) {
        const upTo = Math.min(to, key + sliceValues);
        if (!column.copyTo(key, upTo, out, key - from)) return undefined;
        if (upTo - key === sliceValues) await pause();
      }
    }
    return { ...state, ids: await ids };
  }

  /**
   * The index exportState() described: answers every query exactly as the saved one did. Throws
   * a RangeError when the state is inconsistent (the caller treats the checkpoint as unusable).
   */
  static fromState(state: LogIndexState, termsMax = TERMS_MAX): LogIndex {
    const n = state.index.length;
    if (state.ts.length !== n || state.level.length !== n || state.ids.seqs.length !== n) {
      throw new RangeError('index state columns differ in length');
    }
    if (state.zoneMin.length !== state.zoneMax.length) throw new RangeError('zone maps differ in length');
    const ix = new LogIndex(termsMax);
    const slack = Math.ceil(n * LOAD_SLACK);
    ix.#index = float64Column(16, state.start);
    ix.#index.pushAll(state.index, slack);
    ix.#ts = float64Column(16, state.start);
    ix.#ts.pushAll(state.ts, slack);
    ix.#level = uint8Column(16, state.start);
    ix.#level.pushAll(state.level, slack);
    ix.#zoneMin = float64Column(16, state.zoneStart);
    ix.#zoneMin.pushAll(state.zoneMin);
    ix.#zoneMax = float64Column(16, state.zoneStart);
    ix.#zoneMax.pushAll(state.zoneMax);
    ix.#levels = levelLists(state.level, state.start);
    for (const [term, seqs] of state.terms) {
      const list = uint32Column(Math.max(4, seqs.length));
      list.pushAll(seqs);
      ix.#terms.set(term, list);
    }
    ix.#unindexedThroughSeq = state.unindexedThroughSeq;
    ix.#ids = IdTable.fromSlots(state.ids, state.start);
    return ix;
  }

  /** The seq of the entry at Raft `index`, or -1 when it is not indexed. */
  seqOf(index: number): number {
    const seq = this.#index.lowerBound(index);
    return seq < this.end && this.#index.at(seq) === index ? seq : -1;
  }

  /** The first live seq whose Raft index is >= `index` (end when none). */
  seqAtOrAfter(index: number): number {
    return this.#index.lowerBound(index);
  }

  /** The Raft index of a live seq. */
  indexAt(seq: number): number {
    return this.#index.at(seq);
  }

  /** The timestamp (epoch ms) of a live seq. */
  timestampAt(seq: number): number {
    return this.#ts.at(seq);
  }

  /** The level code of a live seq. */
  levelAt(seq: number): number {
    return this.#level.at(seq);
  }

  /** The posting list (ascending seqs) of a level code. */
  levelList(code: number): NumberColumn {
    return this.#levels[code];
  }

  /** The posting list of a term (see sourceTerm, labelTerm), or undefined when it has none. */
  termList(term: string): NumberColumn | undefined {
    return this.#terms.get(term);
  }

  /** True when every live entry's terms are in posting lists (a missing list then means no match). */
  get termsComplete(): boolean {
    return this.#unindexedThroughSeq < this.start;
  }

  /** Smallest timestamp in zone `block` (blocks of ZONE_ENTRIES seqs; dropped entries may count). */
  zoneMinMs(block: number): number {
    return this.#zoneMin.at(block);
  }

  /** Largest timestamp in zone `block`. */
  zoneMaxMs(block: number): number {
    return this.#zoneMax.at(block);
  }

  /** Live seqs whose id may be `id` (same hash): confirm each by reading the entry. */
  seqsForId(id: string): number[] {
    return this.#ids.lookup(hashId(id));
  }

  /** Approximate bytes held by the indexes' arrays. */
  get bytes(): number {
    let bytes = this.#index.bytes + this.#ts.bytes + this.#level.bytes + this.#ids.bytes;
    for (const list of this.#levels) bytes += list.bytes;
    for (const [term, list] of this.#terms) bytes += list.bytes + term.length * 2 + 200;
    return bytes;
  }
}

/** The level posting lists of a level column whose first value is seq `start`. */
function levelLists(levels: Uint8Array, start: number): NumberColumn[] {
  const counts = new Array<number>(LEVELS.length).fill(0);
  for (let i = 0; i < levels.length; i++) {
    if (levels[i] >= LEVELS.length) throw new RangeError(`level code ${levels[i]} is unknown`);
    counts[levels[i]]++;
  }
  const seqs = counts.map((count) => new Uint32Array(count));
  const filled = new Array<number>(LEVELS.length).fill(0);
  for (let i = 0; i < levels.length; i++) seqs[levels[i]][filled[levels[i]]++] = start + i;
  return seqs.map((list) => {
    const column = uint32Column(Math.max(16, list.length));
    column.pushAll(list);
    return column;
  });
}
