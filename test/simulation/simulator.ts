/**
 * One simulator run: N real nodes over a simulated network and simulated disks, all driven by
 * one seed. Time is logical (TICK_UNITS clock units per Raft tick); messages are delivered in
 * (time, send order) order between ticks; nothing waits on real time or real I/O, so a seed
 * replays exactly. Phases:
 *   1. fault phase (config.faultTicks): clients write, the nemesis injects faults;
 *   2. liveness phase: a random majority is restarted and fully connected, everyone else is cut
 *      off, the weather turns calm; within config.livenessTicksMax ticks the majority must elect
 *      a leader and apply every acknowledged write.
 * The checker runs at every event; the first broken invariant ends the run.
 */
import type { Message, NodeId } from '../../lib/consensus/types.js';
import { Prng } from '../../lib/prng.js';
import { SimFileSystem } from '../../lib/testing/sim-file-system.js';
import { CALM_NETWORK, SimNetwork } from '../../lib/testing/sim-network.js';
import { MinHeap } from '../../lib/testing/simulator/min-heap.js';
import { Checker, InvariantViolation } from './checker.js';
import { drawFlowLimits, type SimConfig, TICK_UNITS } from './config.js';
import { formatEntry, formatMessage } from './format.js';
import { converged, pickMajority } from './liveness.js';
import { Nemesis } from './nemesis.js';
import type { RunOptions, RunResult, RunStats } from './run-result.js';
import { SimNode } from './sim-node.js';
import { Trace } from './trace.js';
import { Workload } from './workload.js';

/** A node's transport telling it that `from`'s process is gone (its connections closed, reconnects refused). */
export interface PeerGone {
  readonly type: 'peer-gone';
  readonly from: NodeId;
  readonly to: NodeId;
}

/** A node's transport telling it that a connection to `from` opened (`from` is up). */
export interface PeerUp {
  readonly type: 'peer-up';
  readonly from: NodeId;
  readonly to: NodeId;
}

/** What travels on the simulated network: Raft messages and transport notices. */
type SimMessage = Message | PeerGone | PeerUp;

/** Latency of every message in the liveness phase. */
export const HEALED_LATENCY_UNITS = 3;

/** Runs one seed. Never throws for a broken invariant or a crash of the code under test. */
export async function runSimulation(
  seed: number,
  config: SimConfig,
  options: RunOptions = {},
): Promise<RunResult> {
  const sim = new Simulation(seed, config, options);
  return sim.run();
}

class Simulation {
  private readonly trace: Trace;
  private readonly ids: NodeId[];
  private readonly nodes: SimNode[];
  private readonly byId = new Map<NodeId, SimNode>();
  private readonly network: SimNetwork<SimMessage>;
  /** Decides which crashes their peers are told about. */
  private readonly noticePrng: Prng;
  private readonly checker: Checker;
  private readonly workload: Workload;
  private readonly nemesis: Nemesis;
  private readonly clientPrng: Prng;
  private readonly livenessPrng: Prng;
  private readonly roles = new Map<NodeId, string>();
  private readonly commits = new Map<NodeId, number>();
  /** Persists waiting for the simulated disk, by completion time. */
  private readonly diskQueue = new MinHeap<{
    time: number;
    seq: number;
    node: SimNode;
    incarnation: number;
  }>();
  private diskSeq = 0;
  private time = 0;
  private tick = 0;
  private lostToCrash = 0;
  private snapshotsSent = 0;
  private faultPhase = true;
  private livenessTicks = -1;

  constructor(
    private readonly seed: number,
    private readonly config: SimConfig,
    options: RunOptions,
  ) {
    this.trace = new Trace(options.traceMode ?? 'ring', options.traceSink);
    const root = new Prng(seed);
    const networkPrng = root.fork();
    const nemesisPrng = root.fork();
    this.clientPrng = root.fork();
    this.livenessPrng = root.fork();
    const paramsPrng = root.fork();
    this.ids = Array.from({ length: config.nodes }, (_, i) => `n${i + 1}`);
    this.network = new SimNetwork<SimMessage>(this.ids, networkPrng, {
      ...CALM_NETWORK,
      latencyMaxUnits: config.latencyMaxUnits,
    });
    this.checker = new Checker(this.ids, (id) => this.byId.get(id)?.mirror);
    this.workload = new Workload(
      this.clientPrng.fork(),
      this.checker,
      config.proposeBatchMax,
      () => this.nemesis.configChangesAccepted,
    );
    const min = config.compactEveryMin;
    const compactEvery = min === 0 || paramsPrng.chance(0.3) ? 0 : min + paramsPrng.nextInt(3 * min + 1);
    const maxDisk = config.diskLatencyUnitsMax;
    const latencyMax =
      maxDisk === 0 || paramsPrng.chance(config.diskLatencyZeroShare) ? 0 : 1 + paramsPrng.nextInt(maxDisk);
    const runConfig = { ...config, ...drawFlowLimits(paramsPrng, config) };
    this.nodes = this.ids.map((id) => {
      const disk = new SimFileSystem({ prng: root.fork() });
      const raftPrng = root.fork();
      const diskTiming = root.fork();
      return new SimNode(
        id,
        disk,
        this.ids,
        raftPrng,
        diskTiming,
        latencyMax,
        runConfig,
        compactEvery,
        this.nodeEnv(),
      );
    });
    for (const node of this.nodes) this.byId.set(node.id, node);
    this.noticePrng = root.fork();
    this.nemesis = new Nemesis(nemesisPrng, config, this.network, this.nodes, (d) => this.note(d));
  }

  async run(): Promise<RunResult> {
    let failure: RunResult['failure'];
    try {
      this.note(() => `seed ${this.seed} nodes ${this.config.nodes}`);
      for (const node of this.nodes) await node.start();
      while (this.tick < this.config.faultTicks) await this.runTick(true);
      await this.liveness();
    } catch (error) {
      failure = this.describeFailure(error);
    }
    return {
      seed: this.seed,
      nodes: this.config.nodes,
      ok: failure === undefined,
      failure,
      stats: this.stats(),
      traceDigest: this.trace.digest(),
      lastLines: this.trace.lastLines(),
    };
  }

  private async runTick(faultPhase: boolean): Promise<void> {
    const end = (this.tick + 1) * TICK_UNITS;
    for (;;) {
      const due = this.network.nextDeliveryTime() ?? Number.POSITIVE_INFINITY;
      const disk = this.diskQueue.peek();
      if (disk !== undefined && disk.time <= due && disk.time < end) {
        this.diskQueue.pop();
        this.time = disk.time;
        if (disk.node.incarnation === disk.incarnation) {
          await disk.node.completePersist();
          this.observe(disk.node);
        }
        continue;
      }
      if (due >= end) break;
      this.time = due;
      const message = this.network.takeDue(due);
      if (message !== undefined) await this.deliver(message);
    }
    this.time = end;
    this.tick++;
    if (faultPhase) {
      await this.nemesis.onTick(this.tick);
      if (this.clientPrng.chance(this.config.proposeProbability)) await this.propose();
    }
    for (const node of this.nodes) {
      if (!node.up) continue;
      await node.tick();
      this.observe(node);
    }
  }

  private async deliver(message: SimMessage): Promise<void> {
    const node = this.byId.get(message.to);
    if (node === undefined || !node.up) {
      if (message.type !== 'peer-gone' && message.type !== 'peer-up') this.lostToCrash++;
      return;
    }
    if (message.type === 'peer-gone') {
      this.note(() => `${message.to} told ${message.from} is unreachable`);
      await node.peerUnreachable(message.from);
    } else if (message.type === 'peer-up') {
      this.note(() => `${message.to} told ${message.from} is up`);
      await node.peerReachable(message.from);
    } else {
      this.note(() => formatMessage(message));
      await node.receive(message);
    }
    this.observe(node);
  }

  private async propose(): Promise<void> {
    const up = this.nodes.filter((n) => n.up);
    const note = this.workload.propose(up);
    this.note(() => note);
    for (const node of up) {
      await node.drain();
      this.observe(node);
    }
  }

  /** Election safety and leader completeness, after every event on `node`. */
  private observe(node: SimNode): void {
    const status = node.status();
    if (status === undefined) return;
    const role = `${status.role} t${status.term}`;
    if (this.roles.get(node.id) !== role) {
      this.roles.set(node.id, role);
      this.note(() => `${node.id} is ${role}`);
      if (status.role === 'leader' && this.faultPhase)
        this.nemesis.newLeader(node.id, status.term, this.tick);
    }
    this.checker.observeRole(node.id, status.role === 'leader', status.term);
    if ((this.commits.get(node.id) ?? 0) < status.commitIndex) {
      this.commits.set(node.id, status.commitIndex);
      if (status.role === 'leader' && this.faultPhase) this.nemesis.leaderCommitted(node);
    }
  }

  private async liveness(): Promise<void> {
    this.faultPhase = false;
    this.nemesis.forgetRestarts();
    for (const node of this.nodes) node.disarm();
    // Everyone restarts (so every membership in use is known), then only the chosen majority is
    // connected: the others stay cut off.
    for (const node of this.nodes) if (!node.up) await node.start();
    const majority = pickMajority(this.nodes, this.ids, this.livenessPrng);
    this.network.heal();
    for (const id of this.ids) if (!majority.includes(id)) this.network.isolate(id);
    // A healed network: no loss, fixed latency (so FIFO per link, as the real TCP transport is).
    this.network.setFaults({
      ...CALM_NETWORK,
      latencyMinUnits: HEALED_LATENCY_UNITS,
      latencyMaxUnits: HEALED_LATENCY_UNITS,
    });
    this.note(() => `liveness: heal majority [${majority}], acked up to ${this.checker.ackedMaxIndex}`);
    const members = majority.map((id) => this.byId.get(id) as SimNode);
    const start = this.tick;
    while (this.tick - start < this.config.livenessTicksMax) {
      await this.runTick(false);
      if (converged(members, this.checker)) {
        this.livenessTicks = this.tick - start;
        this.note(() => `liveness: converged after ${this.livenessTicks} ticks`);
        return;
      }
    }
    const states = members.map((n) => {
      const s = n.status();
      return s === undefined
        ? `${n.id} down`
        : `${n.id} ${s.role} t${s.term} commit=${s.commitIndex} applied=${this.checker.appliedIndex(n.id)} last=${s.lastIndex} voters=[${s.config.voters}] learners=[${s.config.learners}]`;
    });
    this.checker.failLiveness(
      `after ${this.config.livenessTicksMax} ticks: acked up to ${this.checker.ackedMaxIndex}; ${states.join('; ')}`,
    );
  }

  private nodeEnv() {
    return {
      send: (message: Message) => {
        if (message.type === 'vote-response' && message.granted) {
          this.checker.voteGranted(message.from, message.to, message.term);
        } else if (message.type === 'snapshot') {
          this.snapshotsSent++;
        }
        this.network.send(message, this.time);
      },
      applied: (node: SimNode, entry: Parameters<Checker['apply']>[1], term: number) => {
        this.checker.apply(node.id, entry, term);
        const acked = this.workload.applied(node.id, node.incarnation, entry);
        this.note(() => `${node.id} apply ${formatEntry(entry)}${acked === undefined ? '' : ' ACK'}`);
        // Still leading the term it accepted the write in, and no membership change accepted
        // since: its voters now are the voters it committed the write with.
        const status = node.status();
        if (
          acked !== undefined &&
          acked.epoch === this.nemesis.configChangesAccepted &&
          status?.role === 'leader' &&
          status.term === acked.term
        ) {
          this.checker.durableOnMajority(
            entry.index,
            status.config.voters,
            (id) => this.byId.get(id)?.durableLog,
          );
        }
      },
      restored: (node: SimNode, index: number, digest: number) => {
        this.checker.restored(node.id, index, digest);
      },
      crashed: (node: SimNode) => {
        this.note(() => `${node.id} down`);
        this.roles.delete(node.id);
        this.commits.delete(node.id);
        this.checker.crashed(node.id);
        this.workload.crashed(node.id, node.incarnation);
        this.nemesis?.crashed(node.id, this.tick, this.time);
        this.announceCrash(node.id);
      },
      started: (node: SimNode) => this.announceStart(node.id),
      schedule: (node: SimNode, afterUnits: number) => {
        this.diskQueue.push({
          time: this.time + afterUnits,
          seq: this.diskSeq++,
          node,
          incarnation: node.incarnation,
        });
      },
      trace: (describe: () => string) => this.note(describe),
    };
  }

  /** A killed process's peers see its connections close and its port refuse: maybe tell them. */
  private announceCrash(id: NodeId): void {
    if (!this.noticePrng.chance(this.config.unreachableReportShare)) return;
    this.nemesis.counts['unreachable-report']++;
    for (const to of this.ids) {
      if (to !== id) this.network.sendNotice({ type: 'peer-gone', from: id, to }, this.time);
    }
  }

  /**
   * A started node connects to its peers (StorageNode calls transport.connect()): it hears which
   * are up, and they hear it is back once their links reconnect. Delivered as notices, with the
   * network's latency and cuts, so they can arrive late, stale or not at all, as in a real start.
   */
  private announceStart(id: NodeId): void {
    if (!this.noticePrng.chance(this.config.reachableReportShare)) return;
    this.nemesis.counts['reachable-report']++;
    for (const other of this.ids) {
      if (other === id || !this.byId.get(other)?.up) continue;
      this.network.sendNotice({ type: 'peer-up', from: other, to: id }, this.time);
      this.network.sendNotice({ type: 'peer-up', from: id, to: other }, this.time);
    }
  }

  private note(describe: () => string): void {
    this.trace.event(this.time, describe);
  }

  private describeFailure(error: unknown): NonNullable<RunResult['failure']> {
    const where = { tick: this.tick, time: this.time };
    if (error instanceof InvariantViolation) {
      return { invariant: error.invariant, detail: error.detail, ...where };
    }
    const e = error instanceof Error ? error : new Error(String(error));
    return { invariant: `exception: ${e.name}`, detail: e.message, stack: e.stack, ...where };
  }

  private stats(): RunStats {
    const net = this.network.stats;
    const faults = { ...this.nemesis.counts };
    faults.drop = net.dropped;
    faults.duplicate = net.duplicated;
    faults.delay = net.delayed;
    faults.reorder = net.reordered;
    faults['lost-with-crash'] = net.lostWithSender;
    faults['crash-mid-persist'] = this.nodes.reduce((sum, n) => sum + n.midPersistCrashes, 0);
    faults['log-truncation'] = this.nodes.reduce((sum, n) => sum + n.truncations, 0);
    faults['snapshot-sent'] = this.snapshotsSent;
    return {
      ticks: this.tick,
      faults,
      network: { ...net },
      elections: this.checker.leadersElected,
      workload: { ...this.workload.stats },
      committed: this.checker.committedIndex,
      compactions: this.nodes.reduce((sum, n) => sum + n.compactions, 0),
      lostToCrash: this.lostToCrash,
      livenessTicks: this.livenessTicks,
    };
  }
}
