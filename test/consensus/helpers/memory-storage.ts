/**
 * An in-memory LogStorage for consensus tests: persists a Ready exactly as the contract on Ready
 * says (snapshot, then entries truncating the stored suffix, then hard state) and can compact.
 */
import type {
  ClusterConfig,
  Entry,
  HardState,
  LogStorage,
  Ready,
  Snapshot,
} from '../../../lib/consensus/types.js';

const EMPTY = new Uint8Array(0);

export class MemoryStorage implements LogStorage {
  hard: HardState = { term: 0, vote: null, commit: 0 };
  snap: Snapshot;
  /** Entries after snap.index. */
  ents: Entry[] = [];
  private readonly bootConfig: ClusterConfig;
  /** Optional fast path of LogStorage; tests may set it. */
  configHistory?: () => readonly { index: number; config: ClusterConfig }[];

  constructor(config: ClusterConfig) {
    this.bootConfig = config;
    this.snap = { index: 0, term: 0, config, data: EMPTY };
  }

  initialState(): { hardState: HardState; config: ClusterConfig } {
    return { hardState: this.hard, config: this.bootConfig };
  }

  firstIndex(): number {
    return this.snap.index + 1;
  }

  lastIndex(): number {
    return this.snap.index + this.ents.length;
  }

  term(index: number): number | undefined {
    if (index === this.snap.index) return this.snap.term;
    if (index < this.snap.index) return undefined;
    return this.ents[index - this.snap.index - 1]?.term;
  }

  entries(lo: number, hi: number, maxBytes: number): Entry[] {
    if (lo < this.firstIndex() || hi > this.lastIndex() + 1)
      throw new Error(`entries [${lo}, ${hi}) out of range`);
    const out: Entry[] = [];
    let bytes = 0;
    for (let i = lo; i < hi; i++) {
      const e = this.ents[i - this.snap.index - 1];
      bytes += e.data.byteLength;
      if (out.length > 0 && bytes > maxBytes) break;
      out.push(e);
    }
    return out;
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  /** Writes entries directly (test setup): replaces everything from entries[0].index on. */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const keep = entries[0].index - this.snap.index - 1;
    if (keep < 0 || keep > this.ents.length) throw new Error(`append at ${entries[0].index} leaves a gap`);
    if (keep < this.ents.length) this.ents.length = keep;
    for (const entry of entries) this.ents.push(entry);
  }

  /** Persists a Ready (step 1 of the contract). */
  persist(ready: Ready): void {
    if (ready.snapshot !== null) {
      this.snap = ready.snapshot;
      this.ents = [];
    }
    this.append(ready.entries);
    if (ready.hardState !== null) this.hard = ready.hardState;
  }

  /** Drops the log through `index` (must be applied), keeping a snapshot with `config`. */
  compact(index: number, config: ClusterConfig, data: Uint8Array = EMPTY): void {
    const term = this.term(index);
    if (term === undefined) throw new Error(`cannot compact to ${index}`);
    this.ents = this.ents.slice(index - this.snap.index);
    this.snap = { index, term, config, data };
  }
}
