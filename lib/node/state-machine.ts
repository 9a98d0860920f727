/**
 * The replicated state machine every node applies committed entries to, in log order. It decides
 * idempotency (DedupWindow, from replicated data only, so all replicas agree) and keeps the
 * indexes that answer reads and /logs without scanning (LogIndex). It holds no entry bodies: they
 * are read back from the Raft log through `readEntry` and verified on every read.
 *
 * Snapshots (the `data` of a Raft snapshot) carry the dedup window and the applied index, never
 * the indexes: after `restore`, entries up to the snapshot's index answer COMPACTED and the node
 * re-applies the log after it, which rebuilds the indexes. `snapshot()` is exact at the applied
 * index only; retention compacts at a segment boundary C below it, so it rebuilds the window as of
 * C by replaying the log from the previous snapshot (retention-window.ts) and encodes it with
 * encodeMachineSnapshot.
 */

import { assert } from '../assert.js';
import { LogClusterError } from '../errors.js';
import {
  DEDUP_WINDOW_AGE_MS,
  DEDUP_WINDOW_ENTRIES_MAX,
  type DedupEntries,
  DedupWindow,
} from './dedup-window.js';
import { decodeId, decodeIndexFields, decodeRecord, type IndexFields } from './entries/payload.js';
import type { EntryRef, LogRecord } from './entries/record.js';
import { LogIndex, type LogIndexState } from './log-index.js';
import { type LogQuery, type QueryBudget, type QueryPage, runQuery } from './log-query.js';

/** One stored Raft entry as the log returns it. */
export interface StoredEntry {
  readonly index: number;
  readonly term: number;
  readonly payload: Uint8Array;
}

/** Reads the Raft log: the entry at `index`, or undefined when the log no longer (or not yet) has it. */
export type ReadEntry = (index: number) => StoredEntry | undefined;

/** How a StateMachine is built. */
export interface StateMachineOptions {
  readonly readEntry: ReadEntry;
  /** Defaults to DEDUP_WINDOW_ENTRIES_MAX; every replica must use the same value. */
  readonly dedupEntriesMax?: number;
  /** Defaults to DEDUP_WINDOW_AGE_MS; every replica must use the same value. */
  readonly dedupAgeMs?: number;
  /** Distinct source/label posting lists (default TERMS_MAX); beyond it filters read bodies. */
  readonly indexTermsMax?: number;
  /** Per-page work bounds for queries (defaults: QUERY_SCAN_MAX, QUERY_READS_MAX). */
  readonly queryBudget?: Partial<QueryBudget>;
}

/** What applying one entry decided: the stored copy the client's reply names. */
export interface ApplyResult {
  readonly id: string;
  /** The entry now stored under this id: this one, or the first copy when `duplicate`. */
  readonly index: number;
  readonly term: number;
  /** True when the id was applied before, inside the window: this entry was not indexed. */
  readonly duplicate: boolean;
}

/** Counters for /stats. */
export interface StateMachineStats {
  readonly applied_index: number;
  /** Live indexed entries (duplicates and compacted entries excluded). */
  readonly entries: number;
  /** Raft index of the oldest live entry, or null when none. */
  readonly first_index: number | null;
  readonly duplicates: number;
  readonly dedup_window: number;
  readonly index_terms: number;
  readonly index_bytes: number;
}

/**
 * The whole applied state at `applied`, as copies (a local checkpoint: lib/node/checkpoint.ts),
 * unlike snapshot() which leaves the indexes out.
 */
export interface MachineState {
  readonly applied: number;
  readonly compactedBefore: number;
  readonly duplicates: number;
  readonly window: DedupEntries;
  readonly index: LogIndexState;
}

interface SnapshotHeader {
  readonly v: 1;
  readonly applied: number;
}

/** The applied state: dedup window + indexes over the log. Single-threaded, synchronous. */
export class StateMachine {
  #readEntry: ReadEntry;
  #window: DedupWindow;
  #index: LogIndex;
  #termsMax: number | undefined;
  #budget: Partial<QueryBudget>;
  #applied = 0;
  /** Entries below this index were removed by retention or a snapshot: they answer COMPACTED. */
  #compactedBefore = 1;
  #duplicates = 0;

  constructor(options: StateMachineOptions) {
    this.#readEntry = options.readEntry;
    this.#window = new DedupWindow(
      options.dedupEntriesMax ?? DEDUP_WINDOW_ENTRIES_MAX,
      options.dedupAgeMs ?? DEDUP_WINDOW_AGE_MS,
    );
    this.#budget = options.queryBudget ?? {};
    this.#termsMax = options.indexTermsMax;
    this.#index = new LogIndex(this.#termsMax);
  }

  /** The last index applied (or skipped). */
  get appliedIndex(): number {
    return this.#applied;
  }

  /** Entries below this index answer COMPACTED. */
  get compactedBefore(): number {
    return this.#compactedBefore;
  }

  /**
   * Applies the committed log entry at `index` (indexes strictly increase). `known`: its index
   * fields when the caller has them (the leader, for its own proposals), saving the decode.
   */
  apply(index: number, term: number, payload: Uint8Array, known?: IndexFields): ApplyResult {
    assert(index > this.#applied, `entry ${index} is applied after ${this.#applied}`);
    const fields = known ?? decodeIndexFields(payload);
    this.#applied = index;
    const first = this.#window.observe(fields.id, index, term, fields.acceptedAtMs);
    if (first !== undefined) {
      this.#duplicates++;
      return { id: fields.id, index: first.index, term: first.term, duplicate: true };
    }
    this.#index.add(index, fields);
    return { id: fields.id, index, term, duplicate: false };
  }

  /** Marks a committed entry that carries no log data (noop, config) as applied. */
  skip(index: number): void {
    assert(index > this.#applied, `entry ${index} is skipped after ${this.#applied}`);
    this.#applied = index;
  }

  /** Forgets the indexes of entries below `index` (retention); they then answer COMPACTED. */
  dropBefore(index: number): void {
    if (index <= this.#compactedBefore) return;
    this.#compactedBefore = index;
    this.#index.dropBefore(index);
  }

  /** The dedup window and applied index, as Raft snapshot data. */
  snapshot(): Uint8Array {
    return encodeMachineSnapshot(this.#applied, this.#window);
  }

  /** A new, empty window with this machine's bounds (retention rebuilds the window as of an index). */
  newDedupWindow(): DedupWindow {
    return new DedupWindow(this.#window.entriesMax, this.#window.ageMs);
  }

  /**
   * Replaces the state with a snapshot's: the window is restored, every index is forgotten, the
   * applied index becomes the snapshot's, and entries up to it answer COMPACTED.
   */
  restore(bytes: Uint8Array): void {
    const header = decodeMachineSnapshot(bytes);
    this.#window.restore(header.window);
    assert(
      this.#window.lastIndex <= header.applied,
      'a snapshot window never runs ahead of its applied index',
    );
    this.#index = new LogIndex(this.#termsMax);
    this.#applied = header.applied;
    this.#compactedBefore = header.applied + 1;
  }

  /**
   * The complete applied state (indexes included) as of the call, copied: applying may go on
   * while the indexes are copied in slices, `pause()` between them (LogIndex.exportState).
   * Resolves undefined when retention dropped entries of the copy meanwhile.
   */
  async exportState(pause?: () => Promise<void>): Promise<MachineState | undefined> {
    const exporting = this.#index.exportState(pause);
    const head = {
      applied: this.#applied,
      compactedBefore: this.#compactedBefore,
      duplicates: this.#duplicates,
      window: this.#window.exportEntries(),
    };
    const index = await exporting;
    return index === undefined ? undefined : { ...head, index };
  }

  /**
   * Replaces the state with one exportState() produced: queries, reads and dedup answer exactly
   * as they did then. Throws (RangeError, SyntaxError) on an inconsistent state; nothing changes then.
   */
  importState(state: MachineState): void {
    const index = LogIndex.fromState(state.index, this.#termsMax);
    const window = this.newDedupWindow();
    window.importEntries(state.window);
    if (window.lastIndex > state.applied) throw new RangeError('the dedup window runs ahead of applied');
    this.#index = index;
    this.#window = window;
    this.#applied = state.applied;
    this.#compactedBefore = state.compactedBefore;
    this.#duplicates = state.duplicates;
  }

  /** The verified record `ref` names. Throws NOT_FOUND, COMPACTED or STORAGE_CORRUPT. */
  read(ref: EntryRef): LogRecord {
    return ref.kind === 'index' ? this.#readIndex(ref.index) : this.#readId(ref.id);
  }

  #readIndex(index: number): LogRecord {
    if (index < this.#compactedBefore) throw compacted(`Entry ${index} was removed by retention`);
    if (this.#index.seqOf(index) < 0) throw notFound();
    const record = this.#recordAt(index);
    if (record === undefined) throw compacted(`Entry ${index} is no longer in the log`);
    return record;
  }

  #readId(id: string): LogRecord {
    const recent = this.#window.peek(id);
    if (recent !== undefined) {
      if (recent.index < this.#compactedBefore) throw compacted(`Entry ${id} was removed by retention`);
      return this.#readIndex(recent.index);
    }
    for (const seq of this.#index.seqsForId(id)) {
      const index = this.#index.indexAt(seq);
      const stored = this.#readEntry(index);
      if (stored !== undefined && decodeId(stored.payload) === id)
        return decodeRecord(index, stored.term, stored.payload);
    }
    throw notFound();
  }

  /** The verified record at a live index, or undefined when the log no longer has it. */
  #recordAt(index: number): LogRecord | undefined {
    const stored = this.#readEntry(index);
    if (stored === undefined) return undefined;
    assert(stored.index === index, `the log returned entry ${stored.index} for ${index}`);
    return decodeRecord(index, stored.term, stored.payload);
  }

  /** One page of a /logs query over the applied entries. Throws STORAGE_CORRUPT on a bad entry. */
  query(query: LogQuery): QueryPage {
    // An ascending page from a cursor below the retention point would skip removed entries silently.
    if (query.order === 'asc' && query.after !== undefined && query.after + 1 < this.#compactedBefore) {
      throw new LogClusterError('COMPACTED', `Entries after ${query.after} were removed by retention`, {
        first_index: this.#compactedBefore,
      });
    }
    return runQuery(this.#index, query, (index) => this.#recordAt(index), this.#budget);
  }

  /** Counters for /stats. */
  stats(): StateMachineStats {
    const ix = this.#index;
    return {
      applied_index: this.#applied,
      entries: ix.size,
      first_index: ix.size === 0 ? null : ix.indexAt(ix.start),
      duplicates: this.#duplicates,
      dedup_window: this.#window.size,
      index_terms: ix.terms,
      index_bytes: ix.bytes,
    };
  }
}

/** State machine snapshot bytes: a header line {v, applied}, then the encoded dedup window. */
export function encodeMachineSnapshot(applied: number, window: DedupWindow): Uint8Array {
  const header: SnapshotHeader = { v: 1, applied };
  const head = Buffer.from(`${JSON.stringify(header)}\n`, 'utf8');
  return Buffer.concat([head, window.encode()]);
}

/** The applied index and the encoded window of encodeMachineSnapshot's bytes. */
export function decodeMachineSnapshot(bytes: Uint8Array): { applied: number; window: Uint8Array } {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const newline = buffer.indexOf(0x0a);
  assert(newline > 0, 'a state machine snapshot starts with a header line');
  const header = JSON.parse(buffer.toString('utf8', 0, newline)) as SnapshotHeader;
  assert(header.v === 1 && Number.isSafeInteger(header.applied), 'a state machine snapshot has version 1');
  return { applied: header.applied, window: buffer.subarray(newline + 1) };
}

function notFound(): LogClusterError {
  return new LogClusterError('NOT_FOUND', 'File not found');
}

function compacted(message: string): LogClusterError {
  return new LogClusterError('COMPACTED', message);
}
