/**
 * The clients. Each proposes batches of writes with unique payloads (`w<n>`) to a node that
 * believes it leads, and remembers which node incarnation accepted which index. A write is
 * ACKNOWLEDGED when that same incarnation applies that index with that payload: committed and
 * applied on the leader that accepted it, exactly what a real node answers a client on. A
 * write whose leader crashed, or whose index was overwritten, stays unacknowledged (its outcome
 * is unknown to the client, as in a real system).
 */
import type { Entry, NodeId, ProposeResult } from '../../lib/consensus/types.js';
import type { Prng } from '../../lib/prng.js';
import type { Checker } from './checker.js';
import { payloadOf, writeNumberOf } from './digest.js';

/** A proposal target as the workload sees it. */
export interface Proposer {
  readonly id: NodeId;
  readonly incarnation: number;
  isLeader(): boolean;
  propose(data: Uint8Array[]): ProposeResult;
}

/** A write accepted by a leader and not yet resolved. */
export interface Pending {
  readonly write: number;
  readonly term: number;
  /** The membership epoch when it was accepted (see Workload.applied). */
  readonly epoch: number;
}

/** Counters for summaries. */
export interface WorkloadStats {
  proposed: number;
  accepted: number;
  refused: number;
  acknowledged: number;
  noLeader: number;
}

/** Proposes writes and detects acknowledgements. */
export class Workload {
  private nextWrite = 0;
  private readonly pending = new Map<string, Map<number, Pending>>();
  readonly stats: WorkloadStats = { proposed: 0, accepted: 0, refused: 0, acknowledged: 0, noLeader: 0 };

  constructor(
    private readonly prng: Prng,
    private readonly checker: Checker,
    private readonly batchMax: number,
    /** Counts membership changes accepted by any leader; unchanged => no leader's config moved. */
    private readonly epoch: () => number,
  ) {}

  /** Proposes one batch to a random self-believed leader among `nodes`; returns a trace note. */
  propose(nodes: readonly Proposer[]): string {
    const leaders = nodes.filter((n) => n.isLeader());
    if (leaders.length === 0) {
      this.stats.noLeader++;
      return 'client: no leader';
    }
    const target = this.prng.pick(leaders);
    const count = 1 + this.prng.nextInt(this.batchMax);
    const writes: number[] = [];
    for (let i = 0; i < count; i++) writes.push(this.nextWrite++);
    this.stats.proposed += count;
    const result = target.propose(writes.map(payloadOf));
    if (!result.ok) {
      this.stats.refused += count;
      return `client: ${target.id} refused w${writes[0]}..w${writes[count - 1]} (${result.reason})`;
    }
    this.stats.accepted += count;
    const mine = this.pendingOf(target.id, target.incarnation);
    const epoch = this.epoch();
    writes.forEach((write, i) => {
      mine.set(result.index + i, { write, term: result.term, epoch });
    });
    return `client: ${target.id} accepted w${writes[0]}..w${writes[count - 1]} at ${result.index} t${result.term}`;
  }

  /** `node` (incarnation `incarnation`) applied `entry`: acknowledges the write it accepted there. */
  applied(node: NodeId, incarnation: number, entry: Entry): Pending | undefined {
    const mine = this.pending.get(key(node, incarnation));
    const waiting = mine?.get(entry.index);
    if (mine === undefined || waiting === undefined) return undefined;
    mine.delete(entry.index);
    if (entry.type !== 'normal' || writeNumberOf(entry.data) !== waiting.write) return undefined;
    this.stats.acknowledged++;
    this.checker.acknowledged(waiting.write, entry.index, waiting.term);
    return waiting;
  }

  /** `node` crashed: its clients' pending writes have unknown outcomes. */
  crashed(node: NodeId, incarnation: number): void {
    this.pending.delete(key(node, incarnation));
  }

  private pendingOf(node: NodeId, incarnation: number): Map<number, Pending> {
    const k = key(node, incarnation);
    let mine = this.pending.get(k);
    if (mine === undefined) {
      mine = new Map();
      this.pending.set(k, mine);
    }
    return mine;
  }
}

function key(node: NodeId, incarnation: number): string {
  return `${node}#${incarnation}`;
}
