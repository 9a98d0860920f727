/**
 * One simulated node: the REAL Raft core and the REAL RaftStorage (over the real storage engine)
 * on its own simulated disk, driven through the Ready contract:
 *   persist(ready) -> send messages -> apply committed -> advance.
 * A crash throws the incarnation away (core, storage, state machine: all in-memory state) and
 * crashes the disk; a restart reopens storage from the disk and builds a fresh core.
 *
 * The state machine is a digest: (applied index, chain digest of the applied entries). Its
 * snapshot data is that pair, so a node restored from a snapshot can prove (to the checker) that
 * it restored the cluster's history and not something else.
 */
import { type PlantedBugs, Raft, splitMessages } from '../../lib/consensus/index.js';
import type {
  ConfigChange,
  Entry,
  HardState,
  Message,
  NodeId,
  ProposeResult,
  RaftStatus,
  Ready,
} from '../../lib/consensus/types.js';
import { isLogClusterError } from '../../lib/errors.js';
import { RaftStorage } from '../../lib/node/raft-storage.js';
import type { Prng } from '../../lib/prng.js';
import type { SimFileSystem } from '../../lib/testing/sim-file-system.js';
import type { SimBugs, SimConfig } from './config.js';
import { CrashSwitch } from './crash-switch.js';
import { applyEntry, type DigestState, decodeState, encodeState } from './digest-state-machine.js';
import { formatEntries } from './format.js';
import { LogMirror } from './log-mirror.js';

/** Where each node keeps its files on its own simulated disk. */
export const DATA_DIR = '/data';

/** What a node reports to the simulator. */
export interface NodeEnv {
  send(message: Message): void;
  applied(node: SimNode, entry: Entry, term: number): void;
  restored(node: SimNode, index: number, digest: number): void;
  crashed(node: SimNode): void;
  /** The node (re)started: its transport is about to connect to its peers. */
  started(node: SimNode): void;
  /** Calls node.completePersist() `afterUnits` from now (unless the node crashed meanwhile). */
  schedule(node: SimNode, afterUnits: number): void;
  trace(describe: () => string): void;
}

interface Incarnation {
  readonly raft: Raft;
  readonly storage: RaftStorage;
  readonly fence: CrashSwitch;
  readonly mirror: LogMirror;
  /** The state machine. */
  sm: DigestState;
  /** A Ready taken from the core whose persist the disk has not finished, and its held messages. */
  waiting: { ready: Ready; late: readonly Message[] } | null;
  /** The hard state known durable (decides which messages may leave before a persist). */
  hardState: HardState;
}

/** A Raft node on a simulated disk. */
export class SimNode {
  /** Bumped at every start, so pending client writes know which incarnation accepted them. */
  incarnation = 0;
  private live: Incarnation | null = null;
  private tearOnCrash = false;
  private lastMirror: LogMirror | undefined;
  /** Compactions done (for summaries). */
  compactions = 0;
  /** Crashes that struck inside a persist or compaction (armed crashes that fired). */
  midPersistCrashes = 0;
  /** Stops on a disk error. */
  diskErrorStops = 0;
  /** Persists whose entries replaced a stored suffix (log conflicts resolved). */
  truncations = 0;

  constructor(
    readonly id: NodeId,
    readonly disk: SimFileSystem,
    private readonly voters: readonly NodeId[],
    private readonly random: Prng,
    /** Draws disk latencies. */
    private readonly diskTiming: Prng,
    /** Largest time a persist takes, in clock units (0: persists complete at once). */
    private readonly diskLatencyUnitsMax: number,
    private readonly config: SimConfig,
    /** Compact once this many entries are applied past the snapshot; 0: never. */
    private readonly compactEvery: number,
    private readonly env: NodeEnv,
  ) {}

  /** True while a Ready waits for the simulated disk (a crash now loses that write). */
  get writing(): boolean {
    return this.live?.waiting != null;
  }

  /** True while the node runs. */
  get up(): boolean {
    return this.live !== null;
  }

  /** The durable log as the checker sees it; undefined while down. */
  get mirror(): LogMirror | undefined {
    return this.live?.mirror;
  }

  /** The durable log, also while down (as of the last completed persist: never more than the disk). */
  get durableLog(): LogMirror | undefined {
    return this.live?.mirror ?? this.lastMirror;
  }

  /** The core's status; undefined while down. */
  status(): RaftStatus | undefined {
    return this.live?.raft.status();
  }

  /** True when this node believes it is the leader. */
  isLeader(): boolean {
    return this.live?.raft.status().role === 'leader';
  }

  /** Starts a new incarnation from what the disk holds (a failing disk was replaced meanwhile). */
  async start(): Promise<void> {
    this.clearDiskFaults();
    const fence = new CrashSwitch(() => this.disk.crash({ tearLastWrite: this.tearOnCrash }));
    const storage = await RaftStorage.open(fence.wrap(this.disk), DATA_DIR, {
      voters: [...this.voters],
      learners: [],
    });
    const snap = storage.snapshot();
    const restored = decodeState(snap.data);
    const mirror = new LogMirror();
    mirror.reset(snap.index, snap.term, restored.digest);
    const last = storage.lastIndex();
    for (let lo = storage.firstIndex(); lo <= last; ) {
      const entries = storage.entries(lo, last + 1, Number.MAX_SAFE_INTEGER);
      mirror.append(entries);
      lo += entries.length;
    }
    const raft = new Raft({
      id: this.id,
      storage,
      random: this.random,
      electionTicks: this.config.electionTicks,
      heartbeatTicks: this.config.heartbeatTicks,
      maxAppendBytes: this.config.maxAppendBytes,
      maxInflightAppends: this.config.maxInflightAppends,
      bugs: coreBugs(this.config.bugs),
    });
    this.incarnation++;
    this.live = {
      raft,
      storage,
      fence,
      mirror,
      sm: restored,
      waiting: null,
      hardState: storage.initialState().hardState,
    };
    const hs = storage.initialState().hardState;
    this.env.trace(
      () =>
        `${this.id} start #${this.incarnation} snap=${snap.index} last=${last} term=${hs.term} vote=${hs.vote} commit=${hs.commit}`,
    );
    this.env.restored(this, restored.index, restored.digest);
    this.env.started(this);
  }

  /** Crashes now: unsynced disk writes are lost (the last one torn when `tear`; default: as armed). */
  crash(tear = this.tearOnCrash): void {
    const live = this.live;
    if (live === null) return;
    this.tearOnCrash = tear;
    live.fence.crash();
    this.down();
  }

  /** Arms a crash at the `ops`-th disk operation from now (inside a persist or a compaction). */
  armCrash(ops: number, tear: boolean): void {
    if (this.live === null) return;
    this.tearOnCrash = tear;
    this.live.fence.arm(ops);
  }

  /** Cancels an armed crash and any pending disk error. */
  disarm(): void {
    this.live?.fence.arm(Number.POSITIVE_INFINITY);
    this.clearDiskFaults();
  }

  private clearDiskFaults(): void {
    this.disk.failNextWrites('EIO', 0);
    this.disk.failNextSyncs('EIO', 0);
  }

  /** True while an armed crash has not fired. */
  get crashArmed(): boolean {
    return this.live?.fence.isArmed ?? false;
  }

  /** One logical clock tick. */
  async tick(): Promise<void> {
    this.live?.raft.tick();
    await this.drain();
  }

  /** Delivers a message from the network. */
  async receive(message: Message): Promise<void> {
    this.live?.raft.step(message);
    await this.drain();
  }

  /** The node's transport reports that a connection to `peer` opened (Raft.reportReachable). */
  async peerReachable(peer: NodeId): Promise<void> {
    this.live?.raft.reportReachable(peer);
    await this.drain();
  }

  /** The node's transport reports that `peer`'s process is gone (Raft.reportUnreachable). */
  async peerUnreachable(peer: NodeId): Promise<void> {
    this.live?.raft.reportUnreachable(peer);
    await this.drain();
  }

  /** Proposes a membership change (the caller drains afterwards). */
  proposeConfigChange(change: ConfigChange): ProposeResult | undefined {
    return this.live?.raft.proposeConfigChange(change);
  }

  /** Asks the leader to hand over to `to` (the caller drains afterwards). */
  transferLeadership(to: NodeId): ProposeResult | undefined {
    return this.live?.raft.transferLeadership(to);
  }

  /** Proposes client data (the caller drains afterwards). */
  propose(data: Uint8Array[]): ProposeResult {
    const live = this.live;
    if (live === null) return { ok: false, reason: 'not-leader', leaderId: null };
    return live.raft.propose(data);
  }

  /**
   * Runs the Ready loop until the core has nothing more to say, or until a Ready waits for the
   * disk: with a disk latency the Ready is persisted only when the simulator calls
   * completePersist() at the scheduled time, and meanwhile the core keeps receiving ticks and
   * messages (the contract allows step/tick/propose between ready() and advance()).
   */
  async drain(): Promise<void> {
    for (;;) {
      const live = this.live;
      if (live === null || live.waiting !== null || !live.raft.hasReady()) return;
      const ready = live.raft.ready();
      const { early, late } = this.split(live, ready);
      this.sendAll(early);
      const latency = this.diskLatencyUnits();
      if (latency > 0) {
        live.waiting = { ready, late };
        this.env.schedule(this, latency);
        return;
      }
      if (!(await this.finish(live, ready, late))) return;
    }
  }

  /** The disk finished the waiting Ready's writes: persist it for real, then carry on. */
  async completePersist(): Promise<void> {
    const live = this.live;
    if (live === null || live.waiting === null) return;
    const { ready, late } = live.waiting;
    live.waiting = null;
    if (await this.finish(live, ready, late)) await this.drain();
  }

  /**
   * Which messages leave before the persist: as the real driver (lib/node/raft-driver.ts), a
   * leader's appends and heartbeats (splitMessages, dissertation §10.2.1); with the planted bug
   * ackBeforeDurable, all of them.
   */
  private split(live: Incarnation, ready: Ready): { early: readonly Message[]; late: readonly Message[] } {
    if (this.config.bugs.ackBeforeDurable === true) return { early: ready.messages, late: [] };
    if (!this.config.earlySend) return { early: [], late: ready.messages };
    const { beforePersist, afterPersist } = splitMessages(ready, live.hardState);
    return { early: beforePersist, late: afterPersist };
  }

  /** Persist, send, apply, advance; false when the node crashed on the way. */
  private async finish(live: Incarnation, ready: Ready, late: readonly Message[]): Promise<boolean> {
    if (!(await this.persist(live, ready))) return false;
    if (ready.hardState !== null) live.hardState = ready.hardState;
    this.sendAll(late);
    const term = live.raft.status().term;
    for (const entry of ready.committed) {
      live.sm = applyEntry(live.sm, entry);
      this.env.applied(this, entry, term);
    }
    live.raft.advance(ready);
    await this.maybeCompact(live);
    return this.live === live;
  }

  private diskLatencyUnits(): number {
    const max = this.diskLatencyUnitsMax;
    return max === 0 ? 0 : this.diskTiming.nextInt(max + 1);
  }

  private async persist(live: Incarnation, ready: Ready): Promise<boolean> {
    if (ready.snapshot !== null || ready.entries.length > 0 || ready.hardState !== null) {
      const done = live.storage.persist(ready);
      const ok = await this.unlessCrashed(live, done);
      if (!ok) return false;
    }
    if (ready.snapshot !== null) {
      const snap = ready.snapshot;
      const sm = decodeState(snap.data);
      live.mirror.reset(snap.index, snap.term, sm.digest);
      live.sm = sm;
      this.env.trace(() => `${this.id} install snapshot ${snap.index}/${snap.term}`);
      this.env.restored(this, sm.index, sm.digest);
    }
    if (ready.entries.length > 0) {
      if (ready.entries[0].index <= live.mirror.lastIndex) this.truncations++;
      live.mirror.append(ready.entries);
      const entries = ready.entries;
      this.env.trace(() => `${this.id} persist ${formatEntries(entries)}`);
    }
    return true;
  }

  private async maybeCompact(live: Incarnation): Promise<void> {
    if (this.compactEvery === 0) return;
    const index = live.sm.index;
    if (index - live.storage.snapshot().index < this.compactEvery) return;
    const done = live.storage.compact(index, encodeState(live.sm));
    if (!(await this.unlessCrashed(live, done))) return;
    live.mirror.compact(index);
    this.compactions++;
    this.env.trace(() => `${this.id} compact to ${index}`);
  }

  /**
   * Awaits `work` unless the incarnation crashes first; false when it crashed. A disk error
   * (DISK_FULL, STORAGE_IO) stops the node, as the real node stops on an environmental fault:
   * modelled as a crash, so nothing it did not persist survives.
   */
  private async unlessCrashed(live: Incarnation, work: Promise<void>): Promise<boolean> {
    work.catch(() => {});
    try {
      await Promise.race([work, live.fence.crashed]);
    } catch (error) {
      if (live.fence.isDead || !isLogClusterError(error) || !DISK_ERRORS.has(error.code)) throw error;
      this.diskErrorStops++;
      this.env.trace(() => `${this.id} stops on disk error ${error.code}`);
      this.crash(false);
      return false;
    }
    if (live.fence.isDead) {
      this.midPersistCrashes++;
      this.env.trace(() => `${this.id} crashed inside a disk write`);
      this.down();
      return false;
    }
    return true;
  }

  private sendAll(messages: readonly Message[]): void {
    for (const message of messages) this.env.send(message);
  }

  private down(): void {
    if (this.live === null) return;
    this.lastMirror = this.live.mirror;
    this.live = null;
    this.env.crashed(this);
  }
}

/** The planted bugs that belong to the core. */
function coreBugs(bugs: SimBugs): PlantedBugs {
  const { ackBeforeDurable: _driverOnly, ...core } = bugs;
  return core;
}

/** Storage errors that stop a node (environmental faults), as opposed to bugs. */
const DISK_ERRORS: ReadonlySet<string> = new Set(['DISK_FULL', 'STORAGE_IO']);
