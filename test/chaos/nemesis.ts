/**
 * The nemesis: a fault schedule drawn from the run's seed (times, lengths, kinds, how many nodes
 * and which rule picks them), then played against a real cluster through ClusterManager. Fault
 * groups never overlap and hit at most a minority, so a quorum always remains; every group is
 * healed when its time is up, and healAll() leaves nothing broken before the final phase.
 *
 * The same seed gives the same schedule. Which node a rule resolves to (e.g. "the leader") is up
 * to the cluster at that moment.
 */
import type { ClusterManager } from '../../lib/index.js';
import { Prng } from '../../lib/prng.js';
import type { FaultRecord, History } from './history.js';
import type { ChaosOptions, FaultKind, TargetRule } from './options.js';

/** Share of kills aimed at the leader under the `any` rule (a leader loss is the hard case). */
export const KILL_LEADER_SHARE = 0.6;
/** Share of other faults aimed at the leader under the `any` rule. */
export const FAULT_LEADER_SHARE = 0.35;
/** Tries to restart a killed node before the run is declared broken (a restart can race a port). */
export const RESTART_TRIES = 3;

/** One fault of a group: its kind and the rule that picks its node. */
export interface PlannedFault {
  readonly kind: FaultKind;
  readonly rule: TargetRule;
}

/**
 * Faults that start together and are healed together: after `gapMs` of quiet, for `lengthMs`.
 * `atMs` is the nominal start; restarts of killed nodes take time, so real starts drift later.
 */
export interface FaultGroup {
  readonly group: number;
  readonly atMs: number;
  readonly gapMs: number;
  readonly lengthMs: number;
  readonly faults: readonly PlannedFault[];
}

function uniform(prng: Prng, [min, max]: readonly [number, number]): number {
  return Math.round(min + prng.nextFloat() * (max - min));
}

/** The fault schedule of a run: a pure function of the options (seed included). */
export function faultSchedule(options: ChaosOptions): FaultGroup[] {
  const prng = new Prng(options.seed);
  const minority = Math.floor((options.nodes - 1) / 2);
  const groups: FaultGroup[] = [];
  if (minority === 0 || options.faults.length === 0) return groups;
  const faultEndMs = options.durationMs - options.recoveryMs;
  let t = options.warmupMs;
  for (;;) {
    const gapMs = uniform(prng, options.faultGapMs);
    t += gapMs;
    const lengthMs = uniform(prng, options.faultLengthMs);
    if (t + lengthMs > faultEndMs) break;
    const count = 1 + prng.nextInt(minority);
    const faults: PlannedFault[] = [];
    for (let i = 0; i < count; i++) {
      const kind = prng.pick(options.faults);
      const leaderShare = kind === 'kill' ? KILL_LEADER_SHARE : FAULT_LEADER_SHARE;
      const rule: TargetRule =
        options.target !== 'any' ? options.target : prng.chance(leaderShare) ? 'leader' : 'any';
      faults.push({ kind, rule });
    }
    groups.push({ group: groups.length + 1, atMs: t, gapMs, lengthMs, faults });
    t += lengthMs;
  }
  return groups;
}

/** Plays a schedule against a cluster and records every fault in the history. */
export class Nemesis {
  readonly #active = new Map<string, FaultRecord>();
  readonly #prng: Prng;
  #stopped = false;
  #wake: (() => void) | null = null;

  constructor(
    private readonly cluster: ClusterManager,
    private readonly history: History,
    private readonly schedule: readonly FaultGroup[],
    private readonly log: (line: string) => void,
    seed: number,
  ) {
    this.#prng = new Prng(seed ^ 0x0fa017);
  }

  /** Nodes under a fault right now. */
  faulted(): string[] {
    return [...this.#active.keys()];
  }

  /** Runs the schedule until its end or stop(); every group it started is healed on return. */
  async run(): Promise<void> {
    for (const group of this.schedule) {
      // At least the planned quiet gap, even when restarts made the run fall behind its schedule.
      await this.#sleep(Math.max(group.gapMs, group.atMs - this.history.now()));
      if (this.#stopped) return;
      await this.#start(group);
      await this.#sleep(group.lengthMs);
      await this.healAll();
    }
  }

  /** Ends the schedule early (its current group is healed by run()). */
  stop(): void {
    this.#stopped = true;
    this.#wake?.();
  }

  /** Heals every fault: continues paused nodes, ends isolation, restarts killed nodes. */
  async healAll(): Promise<void> {
    for (const [id, record] of [...this.#active]) {
      if (record.kind === 'kill') await this.#restart(id);
      else await this.cluster.heal(id);
      record.endMs = this.history.now();
      this.#active.delete(id);
      this.log(`${fmt(record.endMs)} heal  ${record.kind} ${id}`);
    }
    for (const node of this.cluster.status().nodes) {
      if (node.state === 'dead' || node.state === 'stopped') await this.#restart(node.id);
    }
    await this.cluster.heal();
  }

  async #start(group: FaultGroup): Promise<void> {
    const chosen: string[] = [];
    const leader = this.cluster.leaderId;
    for (const fault of group.faults) {
      const id = this.#choose(fault.rule, leader, chosen);
      if (id === null) continue;
      chosen.push(id);
      const record: FaultRecord = {
        group: group.group,
        kind: fault.kind,
        node: id,
        wasLeader: id === leader,
        startMs: this.history.now(),
        endMs: null,
      };
      this.history.faults.push(record);
      this.#active.set(id, record);
      this.log(`${fmt(record.startMs)} fault ${fault.kind} ${id}${record.wasLeader ? ' (leader)' : ''}`);
      await this.#inject(fault.kind, id);
    }
  }

  #choose(rule: TargetRule, leader: string | null, chosen: readonly string[]): string | null {
    const free = this.cluster.nodeIds.filter((id) => !chosen.includes(id));
    if (free.length === 0) return null;
    if (rule === 'leader' && leader !== null && free.includes(leader)) return leader;
    const followers = free.filter((id) => id !== leader);
    const pool = rule === 'follower' && followers.length > 0 ? followers : free;
    return this.#prng.pick(pool);
  }

  async #inject(kind: FaultKind, id: string): Promise<void> {
    if (kind === 'kill') await this.cluster.kill(id);
    else if (kind === 'pause') await this.cluster.pause(id);
    else if (kind === 'isolate') await this.cluster.isolate(id, 'both');
    else if (kind === 'isolate-in') await this.cluster.isolate(id, 'in');
    else await this.cluster.isolate(id, 'out');
  }

  async #restart(id: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.cluster.restart(id);
        return;
      } catch (error) {
        this.log(`restart of ${id} failed (try ${attempt}): ${String(error)}`);
        if (attempt >= RESTART_TRIES) throw error;
      }
    }
  }

  /** Sleeps `waitMs`, or less when stop() is called. */
  async #sleep(waitMs: number): Promise<void> {
    if (waitMs <= 0 || this.#stopped) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, waitMs);
      this.#wake = done;
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    });
    this.#wake = null;
  }
}

/** `12.3s` for progress lines. */
export function fmt(ms: number): string {
  return `${(ms / 1000).toFixed(1).padStart(6)}s`;
}
