/**
 * The simulator's safety checker. It is told about every apply, every role it observes, every
 * vote granted and every acknowledged write, and checks Raft's safety properties at once, so a
 * violation is reported at the event that caused it. Everything is O(nodes) per event except the
 * leader-completeness scan, which runs once per elected leader.
 *
 * Terms used here: the HISTORY is the sequence of entries the cluster has applied (the first node
 * to apply index i defines history[i]; everyone else must agree). Each history entry carries an
 * upper bound on the term in which it was committed (the applying node's term, tightened to the
 * accepting leader's term when a client is acknowledged); every leader of a greater term must
 * hold it.
 */
import type { Entry, NodeId } from '../../lib/consensus/types.js';
import { chainDigest, EMPTY_CHAIN, writeNumberOf } from './digest.js';
import type { LogMirror } from './log-mirror.js';

/** Names of the invariants, as printed in failure reports. */
export const INVARIANTS = {
  electionSafety: 'election-safety: at most one leader per term',
  voteOnce: 'vote-once: a voter grants at most one vote per term',
  logMatching: 'log-matching: same index and term => same entries up to it',
  leaderCompleteness: 'leader-completeness: every committed entry is in every later leader log',
  stateMachineSafety: 'state-machine-safety: applied sequences are prefixes of each other',
  applyOrder: 'apply-order: a node applies index after index, only what it stored',
  noDuplicate: 'no-duplicate: a write is applied at one index only',
  ackedDurable: 'acked-durable: an acknowledged write is durable on a majority of voters, at its index',
  liveness: 'liveness: a healed majority elects a leader and applies every acknowledged write',
} as const;

/** A broken invariant: the run stops and reports it. */
export class InvariantViolation extends Error {
  constructor(
    readonly invariant: string,
    readonly detail: string,
  ) {
    super(`${invariant} -- ${detail}`);
    this.name = 'InvariantViolation';
  }
}

/** How the checker reads a node's durable log; undefined while the node is down. */
export type MirrorOf = (node: NodeId) => LogMirror | undefined;

interface Applied {
  index: number;
  digest: number;
}

/** Checks the safety invariants of one run. */
export class Checker {
  private readonly histTerm: number[] = [0];
  private readonly histDigest: number[] = [EMPTY_CHAIN];
  private readonly histBound: number[] = [0];
  private readonly writeIndex = new Map<number, number>();
  private readonly leaderOfTerm = new Map<number, NodeId>();
  private readonly currentLeaders = new Map<NodeId, number>();
  private readonly votes = new Map<string, NodeId>();
  private readonly applied = new Map<NodeId, Applied>();
  /** Acknowledged writes: write number -> index. */
  readonly acked = new Map<number, number>();
  /** Highest index of an acknowledged write. */
  ackedMaxIndex = 0;
  /** Leaders observed (one per term). */
  leadersElected = 0;

  constructor(
    private readonly nodes: readonly NodeId[],
    private readonly mirrorOf: MirrorOf,
  ) {
    for (const node of nodes) this.applied.set(node, { index: 0, digest: EMPTY_CHAIN });
  }

  /** Number of entries the cluster has applied (the history length). */
  get committedIndex(): number {
    return this.histTerm.length - 1;
  }

  /** Index `node` has applied up to in its current incarnation. */
  appliedIndex(node: NodeId): number {
    return this.applied.get(node)?.index ?? 0;
  }

  /** The node's role after an event: checks election safety and, for a new leader, completeness. */
  observeRole(node: NodeId, isLeader: boolean, term: number): void {
    if (!isLeader) {
      this.currentLeaders.delete(node);
      return;
    }
    if (this.currentLeaders.get(node) === term) return;
    const other = this.leaderOfTerm.get(term);
    if (other !== undefined && other !== node) {
      this.fail(INVARIANTS.electionSafety, `${node} and ${other} both lead term ${term}`);
    }
    if (other === undefined) {
      this.leaderOfTerm.set(term, node);
      this.leadersElected++;
    }
    this.currentLeaders.set(node, term);
    let index = this.committedIndex;
    while (index > 0 && this.histBound[index] >= term) index--;
    if (index > 0) this.requireHeld(node, index, `new leader of term ${term}`);
  }

  /** A node crashed: it leads nothing and its state machine is gone. */
  crashed(node: NodeId): void {
    this.currentLeaders.delete(node);
    this.applied.set(node, { index: 0, digest: EMPTY_CHAIN });
  }

  /** `node` restored its state machine from a snapshot at `index` whose digest is `digest`. */
  restored(node: NodeId, index: number, digest: number): void {
    if (index > this.committedIndex || this.histDigest[index] !== digest) {
      this.fail(INVARIANTS.stateMachineSafety, `${node} restored a snapshot at ${index} unlike the history`);
    }
    this.applied.set(node, { index, digest });
  }

  /** `node` (whose current term is `nodeTerm`) applied `entry`. */
  apply(node: NodeId, entry: Entry, nodeTerm: number): void {
    const state = this.applied.get(node) as Applied;
    if (entry.index !== state.index + 1) {
      this.fail(INVARIANTS.applyOrder, `${node} applied ${entry.index} after ${state.index}`);
    }
    const digest = chainDigest(state.digest, entry);
    state.index = entry.index;
    state.digest = digest;
    const own = this.mirrorOf(node);
    if (own !== undefined && entry.index > own.snapshotIndex && own.digestAt(entry.index) !== digest) {
      this.fail(INVARIANTS.applyOrder, `${node} applied ${entry.index}/${entry.term} unlike its stored log`);
    }
    if (entry.index <= this.committedIndex) {
      if (this.histTerm[entry.index] !== entry.term || this.histDigest[entry.index] !== digest) {
        this.fail(
          INVARIANTS.stateMachineSafety,
          `${node} applied ${entry.index}/${entry.term}; history has ${entry.index}/${this.histTerm[entry.index]}`,
        );
      }
    } else {
      this.histTerm.push(entry.term);
      this.histDigest.push(digest);
      this.histBound.push(nodeTerm);
      for (const [leader, term] of this.currentLeaders) {
        if (term > nodeTerm) this.requireHeld(leader, entry.index, `leader of term ${term}`);
      }
    }
    this.checkUnique(node, entry);
    this.checkMatching(node, entry, digest);
  }

  /** `voter` sent a granted vote to `candidate` for `term`. */
  voteGranted(voter: NodeId, candidate: NodeId, term: number): void {
    const key = `${term}:${voter}`;
    const previous = this.votes.get(key);
    if (previous !== undefined && previous !== candidate) {
      this.fail(INVARIANTS.voteOnce, `${voter} voted for ${previous} and ${candidate} in term ${term}`);
    }
    this.votes.set(key, candidate);
  }

  /** Write `write` was acknowledged at `index` by the leader of `term`. */
  acknowledged(write: number, index: number, term: number): void {
    if (this.writeIndex.get(write) !== index) {
      this.fail(INVARIANTS.ackedDurable, `write ${write} acknowledged at ${index} but not applied there`);
    }
    this.acked.set(write, index);
    if (index > this.ackedMaxIndex) this.ackedMaxIndex = index;
    if (term < this.histBound[index]) this.histBound[index] = term;
  }

  /**
   * At the moment `index` is acknowledged, a majority of `voters` must hold it durably: their
   * disks (`durableOf`, also for nodes that are down) have the history's entry there, or a
   * snapshot past it. This is the product's promise, checked directly.
   */
  durableOnMajority(index: number, voters: readonly NodeId[], durableOf: MirrorOf): void {
    const holders = voters.filter((id) => {
      const log = durableOf(id);
      return (
        log !== undefined && (index <= log.snapshotIndex || log.digestAt(index) === this.histDigest[index])
      );
    });
    if (2 * holders.length <= voters.length) {
      this.fail(
        INVARIANTS.ackedDurable,
        `entry ${index} acknowledged while durable only on [${holders}] of voters [${voters}]`,
      );
    }
  }

  /** Throws the liveness violation `detail`. */
  failLiveness(detail: string): never {
    this.fail(INVARIANTS.liveness, detail);
  }

  private requireHeld(node: NodeId, index: number, who: string): void {
    const mirror = this.mirrorOf(node);
    if (mirror === undefined || index <= mirror.snapshotIndex) return;
    if (mirror.digestAt(index) !== this.histDigest[index]) {
      const has = mirror.termAt(index);
      this.fail(
        INVARIANTS.leaderCompleteness,
        `${node} (${who}) lacks committed ${index}/${this.histTerm[index]} (has ${has === undefined ? 'nothing' : `term ${has}`} there, last ${mirror.lastIndex})`,
      );
    }
  }

  private checkUnique(node: NodeId, entry: Entry): void {
    if (entry.type !== 'normal') return;
    const write = writeNumberOf(entry.data);
    if (write === undefined) return;
    const at = this.writeIndex.get(write);
    if (at !== undefined && at !== entry.index) {
      this.fail(INVARIANTS.noDuplicate, `${node} applied write ${write} at ${entry.index}; it is at ${at}`);
    }
    this.writeIndex.set(write, entry.index);
  }

  private checkMatching(node: NodeId, entry: Entry, digest: number): void {
    for (const other of this.nodes) {
      if (other === node) continue;
      const mirror = this.mirrorOf(other);
      if (mirror === undefined || mirror.termAt(entry.index) !== entry.term) continue;
      if (entry.index > mirror.snapshotIndex && mirror.digestAt(entry.index) !== digest) {
        this.fail(
          INVARIANTS.logMatching,
          `${node} and ${other} hold term ${entry.term} at ${entry.index} with different prefixes`,
        );
      }
    }
  }

  private fail(invariant: string, detail: string): never {
    throw new InvariantViolation(invariant, detail);
  }
}
