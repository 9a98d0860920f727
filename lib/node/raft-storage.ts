/**
 * RaftStorage: the consensus core's LogStorage over the storage engine. It performs step 1 of
 * the Ready contract (persist snapshot, then entries, then hard state) and answers the core's
 * synchronous questions from memory and the log. Layout inside `dir`:
 *
 *   log/         the SegmentedLog (entry type byte: 0 normal, 1 noop, 2 config)
 *   hard-state   term, vote, commit (HardStateFile)
 *   snapshot     the compaction point: index, term, config and the application's data (AtomicFile)
 *
 * Crash safety rests on two orders. Persist: entries are durable before the hard state that may
 * mention them. Snapshot install and compaction: the snapshot file is durable before the log
 * drops anything, so at open the log either continues the snapshot or holds a stale prefix that
 * open() discards. Commit-only hard-state changes are not fsynced (the commit index can always
 * be relearned from the leader; etcd does the same); term and vote changes always are.
 *
 * Membership: the config in force is the snapshot's, changed by every config entry after it in
 * the log (a change takes effect when appended). open() finds the config entries by one scan of
 * the log from the snapshot point, or, given the config entries a local checkpoint recorded up to
 * a committed index (KnownConfigs), by a scan of the log after that index only; after that an
 * in-memory list of (index, config) follows appends, truncations and compactions, so no later scan.
 */
import { join } from 'node:path';
import { assert } from '../assert.js';
import { applyChange, decodeConfigChange } from '../consensus/index.js';
import type {
  ClusterConfig,
  Entry,
  EntryType,
  HardState,
  LogStorage,
  Ready,
  Snapshot,
} from '../consensus/types.js';
import { LogClusterError } from '../errors.js';
import {
  AtomicFile,
  type FileSystem,
  HardStateFile,
  type LogRecord,
  SegmentedLog,
  type SegmentedLogOptions,
} from '../storage/index.js';

/** Bytes read per chunk when open() scans the log for config entries: bounded memory, few reads. */
export const CONFIG_SCAN_CHUNK_BYTES = 4 * 1024 * 1024;

/** Record type byte of each entry type; the storage engine treats it as opaque. */
export const ENTRY_TYPE_CODE: Readonly<Record<EntryType, number>> = { normal: 0, noop: 1, config: 2 };
const ENTRY_TYPES: readonly EntryType[] = ['normal', 'noop', 'config'];

/**
 * The config entries a local checkpoint saw, so open() need not read the log up to
 * `throughIndex`. Trusted only when the log still holds `throughIndex` at `throughTerm` (then,
 * entries up to it being committed, they cannot have been truncated since).
 */
export interface KnownConfigs {
  /** Committed; every config entry in (snapshotIndex, throughIndex] is in `configs`. */
  readonly throughIndex: number;
  readonly throughTerm: number;
  /** The snapshot point when the list was taken. */
  readonly snapshotIndex: number;
  readonly configs: readonly { readonly index: number; readonly config: ClusterConfig }[];
}

/** What persist() needs from a Ready: the parts step 1 of the contract writes. */
export type PersistablePart = Pick<Ready, 'snapshot' | 'entries' | 'hardState' | 'mustSync'>;

const ZERO_HARD_STATE: HardState = { term: 0, vote: null, commit: 0 };
const EMPTY = new Uint8Array(0);

/** The core's durable state, over a SegmentedLog, a HardStateFile and a snapshot AtomicFile. */
export class RaftStorage implements LogStorage {
  private busy = false;
  /** The latest commit the core reported (saved lazily: see the file comment). */
  private latestCommit: number;

  private constructor(
    private readonly log: SegmentedLog,
    private readonly hardStateFile: HardStateFile,
    private readonly snapshotFile: AtomicFile,
    private snap: Snapshot,
    private savedHardState: HardState,
    /** Config entries after the snapshot, ascending: the config in force from each index on. */
    private configs: Array<{ index: number; config: ClusterConfig }>,
  ) {
    this.latestCommit = savedHardState.commit;
  }

  /**
   * Opens (creating when absent) the storage in `dir`. `bootstrapConfig` is the membership of a
   * node that has no snapshot and no config entry yet. Throws LogClusterError('STORAGE_CORRUPT')
   * when the files contradict each other in a way a crash cannot explain.
   */
  static async open(
    fs: FileSystem,
    dir: string,
    bootstrapConfig: ClusterConfig,
    logOptions?: Partial<SegmentedLogOptions>,
    known?: KnownConfigs,
  ): Promise<RaftStorage> {
    await fs.mkdir(dir);
    const snapshotFile = new AtomicFile(fs, join(dir, 'snapshot'));
    const stored = await snapshotFile.read();
    const snap = stored === undefined ? zeroSnapshot(bootstrapConfig) : decodeSnapshot(stored);
    const { log } = await SegmentedLog.open(fs, join(dir, 'log'), logOptions);
    await reconcile(log, snap);
    const hardStateFile = new HardStateFile(fs, dir);
    const loaded = (await hardStateFile.load()) ?? ZERO_HARD_STATE;
    const hardState = { ...loaded, commit: Math.max(loaded.commit, snap.index) };
    if (hardState.commit > log.lastIndex) {
      throw new LogClusterError('STORAGE_CORRUPT', 'The hard state commits entries the log does not hold', {
        commit: hardState.commit,
        lastIndex: log.lastIndex,
      });
    }
    const configs =
      known !== undefined && knownConfigsHold(log, snap, known)
        ? continueConfigs(log, snap, known)
        : scanConfigs(log, snap.index + 1, snap.config);
    return new RaftStorage(log, hardStateFile, snapshotFile, snap, hardState, configs);
  }

  /**
   * Step 1 of the Ready contract, in order: install `snapshot` (snapshot file, then the log
   * restarts after it), write `entries` (truncating the stored suffix they overlap), save
   * `hardState`. Durable when resolved. Calls must not overlap (the Ready loop awaits each one).
   */
  async persist(ready: PersistablePart): Promise<void> {
    await this.exclusive(async () => {
      if (ready.snapshot !== null) await this.installSnapshot(ready.snapshot);
      if (ready.entries.length > 0) await this.writeEntries(ready.entries);
      if (ready.hardState !== null) await this.saveHardState(ready.hardState);
    });
  }

  /**
   * Retention: records a snapshot at `index` (term and config as of `index`, `data` from the
   * application) and drops the log prefix it covers. `index` must be committed. Must not overlap
   * persist(). Only whole segments are deleted, so `index` should be a segment's last index (see
   * segments()); at or below the snapshot it only retries deleting segments the snapshot covers
   * (the log defers deletion while a truncation or reset runs).
   */
  async compact(index: number, data: Uint8Array): Promise<void> {
    if (index <= this.snap.index) {
      await this.exclusive(async () => {
        await this.log.dropPrefix(this.snap.index + 1);
      });
      return;
    }
    assert(index <= this.latestCommit, `compaction at ${index} past the commit index ${this.latestCommit}`);
    await this.exclusive(async () => {
      const term = this.log.termAt(index);
      assert(term !== undefined, `compaction point ${index} is not in the log`);
      const snap: Snapshot = { index, term, config: this.configAt(index), data };
      await this.snapshotFile.write(encodeSnapshot(snap));
      this.snap = snap;
      this.configs = this.configs.filter((c) => c.index > index);
      await this.log.dropPrefix(index + 1);
    });
  }

  /**
   * Raises the commit index to `index`, which a local checkpoint applied (so it was committed):
   * commit-only hard-state changes are saved lazily, so the file may lag behind what was applied.
   * Call before the Raft core is built on this storage.
   */
  recoverCommit(index: number): void {
    assert(index <= this.lastIndex(), `recovered commit ${index} past the last index ${this.lastIndex()}`);
    this.latestCommit = Math.max(this.latestCommit, index);
  }

  /** Term, vote and commit as last persisted, and the membership in force. */
  initialState(): { hardState: HardState; config: ClusterConfig } {
    return {
      hardState: { ...this.savedHardState, commit: this.latestCommit },
      config: this.configAt(this.lastIndex()),
    };
  }

  /** The membership in force at `index` (the last config entry at or before it, else the snapshot's). */
  configAt(index: number): ClusterConfig {
    for (let i = this.configs.length - 1; i >= 0; i--) {
      if (this.configs[i].index <= index) return this.configs[i].config;
    }
    return this.snap.config;
  }

  /** Every config entry after the snapshot with the membership in force from it on (no log scan). */
  configHistory(): readonly { readonly index: number; readonly config: ClusterConfig }[] {
    return this.configs;
  }

  firstIndex(): number {
    return this.snap.index + 1;
  }

  lastIndex(): number {
    return Math.max(this.log.lastIndex, this.snap.index);
  }

  term(index: number): number | undefined {
    if (index === this.snap.index) return this.snap.term;
    if (index < this.snap.index) return undefined;
    return this.log.termAt(index);
  }

  entries(lo: number, hi: number, maxBytes: number): Entry[] {
    assert(lo > this.snap.index, `entries from ${lo} are compacted (snapshot at ${this.snap.index})`);
    assert(hi <= this.lastIndex() + 1, `entries up to ${hi - 1} past the last index ${this.lastIndex()}`);
    if (lo >= hi) return [];
    return this.log.readRange(lo, hi, maxBytes).map(toEntry);
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  /** The log's segments, oldest first (the last is the active one): what retention may drop. */
  segments(): Array<{ firstIndex: number; lastIndex: number; bytes: number }> {
    return this.log.segments();
  }

  /** Sizes for /stats. */
  stats(): ReturnType<SegmentedLog['stats']> & { snapshotIndex: number } {
    return { ...this.log.stats(), snapshotIndex: this.snap.index };
  }

  /** Whether this node leads: bounds the log flushes run on the event loop (SegmentedLog.leading). */
  set leading(on: boolean) {
    this.log.leading = on;
  }

  /** Waits for pending writes and closes the log. */
  async close(): Promise<void> {
    await this.log.close();
  }

  private async installSnapshot(snap: Snapshot): Promise<void> {
    assert(snap.index > this.snap.index, `snapshot ${snap.index} does not advance ${this.snap.index}`);
    await this.snapshotFile.write(encodeSnapshot(snap));
    this.snap = snap;
    this.configs = [];
    await this.log.reset(snap.index + 1);
    if (this.latestCommit < snap.index) this.latestCommit = snap.index;
  }

  private async writeEntries(entries: readonly Entry[]): Promise<void> {
    const first = entries[0].index;
    assert(first > this.snap.index, `entry ${first} is at or below the snapshot ${this.snap.index}`);
    assert(first <= this.lastIndex() + 1, `entry ${first} leaves a gap after ${this.lastIndex()}`);
    assert(
      first > this.latestCommit,
      `entry ${first} would overwrite committed entries (commit ${this.latestCommit})`,
    );
    if (first <= this.log.lastIndex) {
      await this.log.truncateAfter(first - 1);
      this.configs = this.configs.filter((c) => c.index < first);
    }
    for (const entry of entries) {
      if (entry.type !== 'config') continue;
      this.configs.push({
        index: entry.index,
        config: applyChange(this.configAt(entry.index - 1), decodeConfigChange(entry.data)),
      });
    }
    await this.log.append(entries.map(toRecord));
  }

  private async saveHardState(state: HardState): Promise<void> {
    this.latestCommit = Math.max(this.latestCommit, state.commit);
    const saved = this.savedHardState;
    // Only term and vote must be durable before messages leave; the log syncs the entries itself.
    if (state.term === saved.term && state.vote === saved.vote) return;
    await this.hardStateFile.save(state);
    this.savedHardState = state;
  }

  private async exclusive(work: () => Promise<void>): Promise<void> {
    assert(!this.busy, 'RaftStorage writes overlap: await persist/compact before the next');
    this.busy = true;
    try {
      await work();
    } finally {
      this.busy = false;
    }
  }
}

/** Makes the log agree with the snapshot after a crash between writing one and the other. */
async function reconcile(log: SegmentedLog, snap: Snapshot): Promise<void> {
  if (log.firstIndex === snap.index + 1) return;
  if (log.firstIndex > snap.index + 1) {
    throw new LogClusterError('STORAGE_CORRUPT', 'The log starts after the snapshot: entries are missing', {
      firstIndex: log.firstIndex,
      snapshotIndex: snap.index,
    });
  }
  // The log still holds entries up to the snapshot point: a compaction or install was cut short.
  // A matching entry at the snapshot point means the suffix continues the snapshot; else discard.
  if (log.termAt(snap.index) !== snap.term) await log.reset(snap.index + 1);
}

/** True when `known` describes this log: its through point is still there, at the same term. */
function knownConfigsHold(log: SegmentedLog, snap: Snapshot, known: KnownConfigs): boolean {
  const through = known.throughIndex;
  if (known.snapshotIndex > snap.index || through < snap.index || through > log.lastIndex) return false;
  const term = through === snap.index ? snap.term : log.termAt(through);
  if (term !== known.throughTerm) return false;
  let previous = known.snapshotIndex;
  for (const { index } of known.configs) {
    if (!(index > previous && index <= through)) return false;
    previous = index;
  }
  return true;
}

/** The known config entries still after the snapshot, then those the log holds after them. */
function continueConfigs(log: SegmentedLog, snap: Snapshot, known: KnownConfigs): ConfigList {
  const configs = known.configs.filter((c) => c.index > snap.index).map((c) => ({ ...c }));
  const base = configs.at(-1)?.config ?? snap.config;
  return [...configs, ...scanConfigs(log, known.throughIndex + 1, base)];
}

type ConfigList = Array<{ index: number; config: ClusterConfig }>;

/** The config entries from `from` to the end of the log, each applied to the one before. */
function scanConfigs(log: SegmentedLog, from: number, base: ClusterConfig): ConfigList {
  const configs: ConfigList = [];
  let config = base;
  let next = from;
  while (next <= log.lastIndex) {
    const records = log.readRange(next, log.lastIndex + 1, CONFIG_SCAN_CHUNK_BYTES);
    for (const record of records) {
      if (record.type !== ENTRY_TYPE_CODE.config) continue;
      config = applyChange(config, decodeConfigChange(record.payload));
      configs.push({ index: record.index, config });
    }
    next = records[records.length - 1].index + 1;
  }
  return configs;
}

function toRecord(entry: Entry): LogRecord {
  return { index: entry.index, term: entry.term, type: ENTRY_TYPE_CODE[entry.type], payload: entry.data };
}

function toEntry(record: LogRecord): Entry {
  const type = ENTRY_TYPES[record.type];
  if (type === undefined) {
    throw new LogClusterError('STORAGE_CORRUPT', `Unknown entry type ${record.type}`, {
      index: record.index,
    });
  }
  return { index: record.index, term: record.term, type, data: record.payload };
}

function zeroSnapshot(config: ClusterConfig): Snapshot {
  return { index: 0, term: 0, config, data: EMPTY };
}

/** Snapshot file layout: u32 header length, header JSON {index, term, config}, then the data. */
function encodeSnapshot(snap: Snapshot): Uint8Array {
  const header = new TextEncoder().encode(
    JSON.stringify({ index: snap.index, term: snap.term, config: snap.config }),
  );
  const out = new Uint8Array(4 + header.length + snap.data.length);
  new DataView(out.buffer).setUint32(0, header.length);
  out.set(header, 4);
  out.set(snap.data, 4 + header.length);
  return out;
}

function decodeSnapshot(bytes: Uint8Array): Snapshot {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = bytes.length >= 4 ? view.getUint32(0) : -1;
  if (length < 0 || 4 + length > bytes.length) {
    throw new LogClusterError('STORAGE_CORRUPT', 'The snapshot file is malformed', { bytes: bytes.length });
  }
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + length))) as Omit<
    Snapshot,
    'data'
  >;
  return { ...header, data: bytes.slice(4 + length) };
}
