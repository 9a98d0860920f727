/**
 * Linearizable reads (Raft thesis §6.4) without one quorum round per read: reads that arrive while
 * a round is in flight wait for the NEXT round — a round started before a read began could miss a
 * write acknowledged just before it — so a burst of reads costs about two rounds, not thousands.
 * Each read resolves once the applied index reaches the round's confirmed commit index.
 */
import type { ReadIndexResult, ReadRefusal, ReadState } from '../consensus/index.js';
import { LogClusterError } from '../errors.js';

/** Reads waiting for a round or for the apply loop; beyond this they are refused with OVERLOADED. */
export const PENDING_READS_MAX = 20_000;
/** A round not confirmed within this time fails its reads (the node cannot reach a quorum). */
export const READ_ROUND_TIMEOUT_MS = 2_000;

type Waiter = { resolve: () => void; reject: (error: LogClusterError) => void };

interface Round {
  readonly context: string;
  readonly waiters: Waiter[];
  readonly deadlineMs: number;
}

/** What the barrier needs from the node. */
export interface ReadBarrierHost {
  readonly nodeId: string;
  /** Raft.readIndex; the node schedules its Ready loop afterwards. */
  readIndex(context: string): ReadIndexResult;
  appliedIndex(): number;
  nowMs(): number;
  /** Extra fields for refusals (leader_id, leader_url). */
  leaderHints(leaderId: string | null): Record<string, unknown>;
}

/** Batches linearizable reads into ReadIndex rounds and releases them as entries are applied. */
export class ReadBarrier {
  #round: Round | null = null;
  #next: Waiter[] = [];
  /** Confirmed reads waiting for apply, in round order (so indexes are non-decreasing). */
  #applying: { index: number; waiters: Waiter[] }[] = [];
  #pending = 0;
  #counter = 0;

  constructor(private readonly host: ReadBarrierHost) {}

  /** Resolves when this node has applied everything committed before the call (per a quorum). */
  wait(): Promise<void> {
    if (this.#pending >= PENDING_READS_MAX) {
      return Promise.reject(new LogClusterError('OVERLOADED', 'Too many reads waiting; retry later'));
    }
    this.#pending++;
    const promise = new Promise<void>((resolve, reject) => this.#next.push({ resolve, reject }));
    if (this.#round === null) this.#startRound();
    return promise;
  }

  /** A Ready carried read states: move confirmed rounds to the apply queue. */
  confirmed(states: readonly ReadState[]): void {
    for (const state of states) {
      if (this.#round === null || state.context !== this.#round.context) continue;
      this.#applying.push({ index: state.index, waiters: this.#round.waiters });
      this.#round = null;
    }
    this.applied();
    if (this.#round === null && this.#next.length > 0) this.#startRound();
  }

  /** A Ready carried refusals: fail the matching round. */
  refused(refusals: readonly ReadRefusal[]): void {
    for (const refusal of refusals) {
      if (this.#round === null || refusal.context !== this.#round.context) continue;
      this.#failRound(refusalError(refusal.reason, this.host.leaderHints(refusal.leaderId)));
    }
  }

  /** Releases reads whose index is now applied. */
  applied(): void {
    const applied = this.host.appliedIndex();
    while (this.#applying.length > 0 && this.#applying[0].index <= applied) {
      const { waiters } = this.#applying.shift()!;
      this.#pending -= waiters.length;
      for (const waiter of waiters) waiter.resolve();
    }
  }

  /** Fails a round past its deadline. Called on every clock tick. */
  expire(): void {
    if (this.#round !== null && this.#round.deadlineMs <= this.host.nowMs()) {
      this.#failRound(
        new LogClusterError(
          'NO_QUORUM',
          'Could not confirm leadership with a quorum for a linearizable read',
          this.host.leaderHints(null),
        ),
      );
    }
  }

  /** Fails everything (the node is stopping). */
  failAll(error: LogClusterError): void {
    const all = [...(this.#round?.waiters ?? []), ...this.#next, ...this.#applying.flatMap((a) => a.waiters)];
    this.#round = null;
    this.#next = [];
    this.#applying = [];
    this.#pending = 0;
    for (const waiter of all) waiter.reject(error);
  }

  #startRound(): void {
    const waiters = this.#next;
    this.#next = [];
    const context = `${this.host.nodeId}:${++this.#counter}`;
    const result = this.host.readIndex(context);
    if (!result.ok) {
      this.#pending -= waiters.length;
      const error = refusalError(result.reason, this.host.leaderHints(result.leaderId));
      for (const waiter of waiters) waiter.reject(error);
      return;
    }
    this.#round = { context, waiters, deadlineMs: this.host.nowMs() + READ_ROUND_TIMEOUT_MS };
  }

  #failRound(error: LogClusterError): void {
    const round = this.#round;
    if (round === null) return;
    this.#round = null;
    this.#pending -= round.waiters.length;
    for (const waiter of round.waiters) waiter.reject(error);
    if (this.#next.length > 0) this.#startRound();
  }
}

function refusalError(reason: string, hints: Record<string, unknown>): LogClusterError {
  if (reason === 'not-leader') {
    return hints.leader_id
      ? new LogClusterError('NO_QUORUM', 'The leader did not confirm the read', hints)
      : new LogClusterError('NO_LEADER', 'No leader is known; a linearizable read needs one', hints);
  }
  if (reason === 'window-full')
    return new LogClusterError('OVERLOADED', 'Too many reads waiting at the leader', hints);
  return new LogClusterError('NOT_READY', `The read was refused (${reason})`, hints);
}
