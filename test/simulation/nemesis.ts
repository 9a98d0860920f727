/**
 * The nemesis: injects faults during the fault phase, from its own Prng stream. Each run draws
 * its own crash and partition intensities (swarm testing), so some seeds hammer one fault kind.
 * Faults: network weather (drop, duplicate, delay; jitter reorders), partitions (symmetric split,
 * one-way cuts, isolating the leader) that heal after a while, crashes (between events, or armed
 * to strike inside the next persist after a random number of disk operations; either may tear
 * the last unsynced write) followed by a restart after a random downtime.
 */
import type { ConfigChange, NodeId } from '../../lib/consensus/types.js';
import type { Prng } from '../../lib/prng.js';
import type { SimNetwork } from '../../lib/testing/sim-network.js';
import type { SimConfig } from './config.js';
import { zeroFaults } from './faults.js';
import { shuffle } from './random-order.js';
import type { SimNode } from './sim-node.js';

/** Disk operations an armed crash may let through first: spans a whole persist (entries + hard state). */
export const CRASH_OPS_MAX = 12;

/** Ticks an armed crash waits for a persist before it strikes anyway (an idle node must still crash). */
export const ARMED_CRASH_TICKS_MAX = 20;

/** Injects faults into a run. */
export class Nemesis {
  readonly counts = zeroFaults();
  /** Membership changes a leader accepted (any leader's config may have moved since a given value). */
  configChangesAccepted = 0;
  private readonly crashProbability: number;
  private readonly partitionProbability: number;
  private readonly diskErrorProbability: number;
  private readonly reconfigureProbability: number;
  private partitionEndsAt: number | null = null;
  private readonly restartAt = new Map<NodeId, number>();
  private readonly armedUntil = new Map<NodeId, number>();
  /** Leader churn: leaders to crash, with the tick and the term they led. */
  private readonly leaderCrashes = new Map<NodeId, { tick: number; term: number }>();

  constructor(
    private readonly prng: Prng,
    private readonly config: SimConfig,
    private readonly network: SimNetwork<{ from: string; to: string }>,
    private readonly nodes: readonly SimNode[],
    private readonly trace: (describe: () => string) => void,
  ) {
    this.crashProbability = prng.chance(config.crashFreeShare)
      ? 0
      : prng.nextFloat() * config.crashProbabilityMax;
    this.partitionProbability = prng.chance(config.partitionFreeShare)
      ? 0
      : prng.nextFloat() * config.partitionProbabilityMax;
    this.diskErrorProbability = prng.chance(0.5) ? 0 : prng.nextFloat() * config.diskErrorProbabilityMax;
    this.reconfigureProbability = prng.chance(0.5) ? 0 : prng.nextFloat() * config.reconfigureProbabilityMax;
  }

  /** One tick of the fault phase: maybe change the weather, partition, heal, crash, restart. */
  async onTick(tick: number): Promise<void> {
    if (this.prng.chance(this.config.weatherChangeProbability)) this.changeWeather();
    if (this.partitionEndsAt !== null && tick >= this.partitionEndsAt) this.heal();
    else if (this.partitionEndsAt === null && this.prng.chance(this.partitionProbability))
      this.partition(tick);
    if (this.prng.chance(this.crashProbability)) this.crash(tick);
    if (this.prng.chance(this.diskErrorProbability)) this.diskError();
    if (this.prng.chance(this.config.transferProbability)) await this.transfer();
    if (this.prng.chance(this.reconfigureProbability)) await this.reconfigure();
    if (this.prng.chance(this.config.falseReportProbability)) await this.falseReport();
    for (const [id, due] of [...this.leaderCrashes]) {
      if (due.tick > tick) continue;
      this.leaderCrashes.delete(id);
      const node = this.nodes.find((n) => n.id === id) as SimNode;
      if (node.up && node.status()?.term === due.term) {
        this.counts['leader-crash']++;
        this.trace(() => `nemesis: crash leader ${id} of term ${due.term}`);
        node.crash(this.prng.chance(this.config.tearShare));
      }
    }
    for (const node of this.nodes) {
      const until = this.armedUntil.get(node.id);
      if (until !== undefined && (!node.crashArmed || tick >= until)) {
        this.armedUntil.delete(node.id);
        if (node.crashArmed) {
          this.counts.crash++;
          this.trace(() => `nemesis: armed crash of ${node.id} strikes now`);
          node.crash();
        }
      }
    }
    await this.restartDue(tick);
  }

  /** A node became leader of `term`: maybe schedule its crash (leader churn). */
  newLeader(node: NodeId, term: number, tick: number): void {
    if (this.partitionEndsAt === null && this.prng.chance(this.config.leaderIsolateProbability)) {
      this.isolate(node, tick);
    }
    if (this.leaderCrashes.has(node) || !this.prng.chance(this.config.leaderCrashProbability)) return;
    this.leaderCrashes.set(node, {
      tick: tick + this.prng.nextInt(this.config.leaderCrashTicksMax + 1),
      term,
    });
  }

  /** Restarts every node whose downtime is over (also used to end the fault phase). */
  async restartDue(tick: number): Promise<void> {
    for (const node of this.nodes) {
      const at = this.restartAt.get(node.id);
      if (node.up || at === undefined || at > tick) continue;
      this.restartAt.delete(node.id);
      this.counts.restart++;
      await node.start();
    }
  }

  /** A leader's commit index advanced: maybe crash it right now. */
  leaderCommitted(node: SimNode): void {
    if (!this.prng.chance(this.config.commitCrashProbability)) return;
    this.counts['commit-crash']++;
    this.trace(() => `nemesis: crash ${node.id} right after it committed`);
    node.crash(this.prng.chance(this.config.tearShare));
  }

  /** A node crashed (however it crashed): maybe lose its in-flight messages; schedule its restart. */
  crashed(node: NodeId, tick: number, time: number): void {
    if (this.prng.chance(this.config.crashLosesSendsShare)) this.network.loseInFlightFrom(node, time);
    const { restartTicksMin, restartTicksMax } = this.config;
    this.restartAt.set(
      node,
      tick + restartTicksMin + this.prng.nextInt(restartTicksMax - restartTicksMin + 1),
    );
  }

  /** Nodes that are down, with their restart tick. */
  pendingRestarts(): ReadonlyMap<NodeId, number> {
    return this.restartAt;
  }

  /** Ends the fault phase: disarms nothing (armed crashes may still strike), forgets restarts. */
  forgetRestarts(): void {
    this.restartAt.clear();
    this.leaderCrashes.clear();
  }

  private changeWeather(): void {
    const c = this.config;
    const calm = this.prng.chance(0.3);
    const faults = {
      latencyMinUnits: 1,
      latencyMaxUnits: 1 + this.prng.nextInt(c.latencyMaxUnits),
      dropProbability: calm ? 0 : this.prng.nextFloat() * c.dropProbabilityMax,
      duplicateProbability: calm ? 0 : this.prng.nextFloat() * c.duplicateProbabilityMax,
      delayProbability: calm ? 0 : this.prng.nextFloat() * c.delayProbabilityMax,
      delayMaxUnits: c.delayMaxUnits,
    };
    this.network.setFaults(faults);
    this.counts.weather++;
    this.trace(
      () =>
        `nemesis: weather drop=${faults.dropProbability.toFixed(2)} dup=${faults.duplicateProbability.toFixed(2)} delay=${faults.delayProbability.toFixed(2)} latency<=${faults.latencyMaxUnits}`,
    );
  }

  private partition(tick: number): void {
    const ids = this.nodes.map((n) => n.id);
    const kind = this.prng.nextInt(3);
    const { partitionTicksMin, partitionTicksMax } = this.config;
    this.partitionEndsAt =
      tick + partitionTicksMin + this.prng.nextInt(partitionTicksMax - partitionTicksMin + 1);
    if (kind === 0) {
      const shuffled = shuffle(this.prng, ids);
      const cut = 1 + this.prng.nextInt(ids.length - 1);
      const a = shuffled.slice(0, cut);
      const b = shuffled.slice(cut);
      this.network.partition(a, b);
      this.counts.partition++;
      this.trace(() => `nemesis: partition [${a}] | [${b}]`);
    } else if (kind === 1) {
      const links = 1 + this.prng.nextInt(ids.length);
      const cuts: string[] = [];
      for (let i = 0; i < links; i++) {
        const from = this.prng.pick(ids);
        const to = this.prng.pick(ids.filter((n) => n !== from));
        this.network.cut(from, to);
        cuts.push(`${from}>${to}`);
      }
      this.counts['one-way']++;
      this.trace(() => `nemesis: one-way cuts ${cuts.join(' ')}`);
    } else {
      const leaders = this.nodes.filter((n) => n.isLeader());
      this.isolate(leaders.length > 0 ? this.prng.pick(leaders).id : this.prng.pick(ids), tick);
    }
  }

  private isolate(target: NodeId, tick: number): void {
    const { partitionTicksMin, partitionTicksMax } = this.config;
    this.partitionEndsAt =
      tick + partitionTicksMin + this.prng.nextInt(partitionTicksMax - partitionTicksMin + 1);
    this.network.isolate(target);
    this.counts['isolate-leader']++;
    this.trace(() => `nemesis: isolate ${target}`);
  }

  private diskError(): void {
    const up = this.nodes.filter((n) => n.up);
    if (up.length === 0) return;
    const node = this.prng.pick(up);
    const code = this.prng.chance(0.5) ? 'ENOSPC' : 'EIO';
    const onSync = this.prng.chance(0.5);
    if (onSync) node.disk.failNextSyncs(code, 1);
    else node.disk.failNextWrites(code, 1);
    this.counts['disk-error']++;
    this.trace(() => `nemesis: next ${onSync ? 'sync' : 'write'} of ${node.id} fails with ${code}`);
  }

  private async transfer(): Promise<void> {
    const leaders = this.nodes.filter((n) => n.isLeader());
    if (leaders.length === 0) return;
    const leader = this.prng.pick(leaders);
    const to = this.prng.pick(this.nodes.filter((n) => n !== leader)).id;
    const result = leader.transferLeadership(to);
    this.counts.transfer++;
    this.trace(
      () => `nemesis: ${leader.id} transfers leadership to ${to}: ${result?.ok ? 'started' : result?.reason}`,
    );
    await leader.drain();
  }

  /** Asks a leader for one membership change: add a non-member, promote a learner, demote or remove a voter. */
  private async reconfigure(): Promise<void> {
    const leaders = this.nodes.filter((n) => n.isLeader());
    if (leaders.length === 0) return;
    const leader = this.prng.pick(leaders);
    const config = leader.status()?.config;
    if (config === undefined) return;
    const outsiders = this.nodes
      .map((n) => n.id)
      .filter((id) => !config.voters.includes(id) && !config.learners.includes(id));
    const options: ConfigChange[] = [];
    for (const node of outsiders) options.push({ kind: 'add-learner', node }, { kind: 'add-voter', node });
    for (const node of config.learners) options.push({ kind: 'add-voter', node }, { kind: 'remove', node });
    if (config.voters.length > this.config.votersMin) {
      for (const node of config.voters) options.push({ kind: 'remove', node }, { kind: 'add-learner', node });
    }
    if (options.length === 0) return;
    const change = this.prng.pick(options);
    const result = leader.proposeConfigChange(change);
    if (result?.ok) this.configChangesAccepted++;
    this.counts.reconfigure++;
    this.trace(
      () =>
        `nemesis: ${leader.id} asked to ${change.kind} ${change.node}: ${result?.ok ? `at ${result.index}` : result?.reason}`,
    );
    await leader.drain();
  }

  /** Tells a follower its leader is unreachable while the leader may well be alive (a flaky link). */
  private async falseReport(): Promise<void> {
    const followers = this.nodes.filter((n) => {
      const lead = n.status()?.leaderId;
      return lead != null && lead !== n.id;
    });
    if (followers.length === 0) return;
    const node = this.prng.pick(followers);
    const leader = node.status()?.leaderId as NodeId;
    this.counts['false-report']++;
    this.trace(() => `nemesis: ${node.id} told its leader ${leader} is unreachable`);
    await node.peerUnreachable(leader);
  }

  private heal(): void {
    this.network.heal();
    this.partitionEndsAt = null;
    this.counts.heal++;
    this.trace(() => 'nemesis: heal');
  }

  private crash(tick: number): void {
    const up = this.nodes.filter((n) => n.up && !n.crashArmed);
    if (up.length === 0) return;
    const leaders = up.filter((n) => n.isLeader());
    const writing = up.filter((n) => n.writing);
    let node = this.prng.pick(up);
    if (writing.length > 0 && this.prng.chance(this.config.crashWritingShare)) node = this.prng.pick(writing);
    else if (leaders.length > 0 && this.prng.chance(0.3)) node = this.prng.pick(leaders);
    const tear = this.prng.chance(this.config.tearShare);
    if (tear) this.counts['torn-write']++;
    if (this.prng.chance(this.config.crashMidPersistShare)) {
      const ops = this.prng.nextInt(CRASH_OPS_MAX);
      node.armCrash(ops, tear);
      this.armedUntil.set(node.id, tick + 1 + this.prng.nextInt(ARMED_CRASH_TICKS_MAX));
      this.trace(() => `nemesis: arm crash of ${node.id} after ${ops} disk ops${tear ? ' (tear)' : ''}`);
      return;
    }
    this.counts.crash++;
    this.trace(() => `nemesis: crash ${node.id}${tear ? ' (tear)' : ''}`);
    node.crash(tear);
  }
}
