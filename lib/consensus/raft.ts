/**
 * Raft as a pure, deterministic state machine (after etcd-io/raft's RawNode): no I/O, no clocks,
 * no timers, no Promises; randomness only from the seeded RandomSource. Inputs are tick(),
 * step(), propose*(), readIndex(), transferLeadership(); the output is a Ready the driver
 * persists, sends and applies, then hands back with advance().
 */
import { assert } from '../assert.js';
import { hup, leaderUnreachable, peerReachable } from './election.js';
import { appendEntries, maybeCommit, tickLeader } from './leader.js';
import { followerRole } from './log-ops.js';
import { applyChange, encodeConfigChange } from './membership.js';
import type { RaftOptions } from './options.js';
import { type ReadIndexResult, readIndex } from './reads.js';
import { advanceReady, buildReady, hasReady } from './ready.js';
import { RaftState } from './state.js';
import { statusOf } from './status.js';
import { step } from './step.js';
import { transferLeadership } from './transfer.js';
import type { ConfigChange, Message, NodeId, ProposeResult, RaftStatus, Ready } from './types.js';

/** One Raft node. Not re-entrant; every method runs to completion synchronously. */
export class Raft {
  private readonly r: RaftState;
  private outstanding: Ready | null = null;

  /** Restores term, vote, commit and membership from `options.storage`; starts as follower (or learner). */
  constructor(options: RaftOptions) {
    this.r = new RaftState(options);
    this.r.role = followerRole(this.r);
    this.r.resetRandomizedElectionTimeout();
  }

  /** One logical clock tick: election timeouts, heartbeats, CheckQuorum, transfer deadline. */
  tick(): void {
    const r = this.r;
    if (r.role === 'leader') {
      tickLeader(r);
      return;
    }
    r.electionElapsed++;
    if (r.promotable() && r.electionElapsed >= r.randomizedElectionTicks) {
      r.electionElapsed = 0;
      hup(r);
    }
  }

  /** A message from a peer. Stale, misaddressed and foreign-term messages are handled inside. */
  step(message: Message): void {
    step(this.r, message);
  }

  /**
   * Appends normal entries, one per element of `data` (leader only). Accepted: `index` is the
   * first entry's, the entries are index..index+n-1, all in `term`. They are acknowledged only
   * when they appear in Ready.committed. Refusals are values.
   */
  propose(data: readonly Uint8Array[]): ProposeResult {
    assert(data.length > 0, 'propose needs at least one entry');
    const r = this.r;
    const refusal = this.refuseProposal(data.length);
    if (refusal !== null) return refusal;
    const index = appendEntries(
      r,
      data.map((d) => ({ type: 'normal' as const, data: d })),
    );
    return { ok: true, index, term: r.term };
  }

  /**
   * Proposes one membership change (leader only). Refused with 'config-change-pending' while an
   * earlier change is uncommitted or before the leader committed an entry of its term (the
   * single-server change rule, dissertation §4.1 and its errata); 'invalid-request' if the
   * change would leave no voter. The change takes effect on every node as soon as it is appended.
   */
  proposeConfigChange(change: ConfigChange): ProposeResult {
    const r = this.r;
    const refusal = this.refuseProposal(1);
    if (refusal !== null) return refusal;
    if (r.membership.hasUncommitted() || !r.committedInCurrentTerm()) {
      return { ok: false, reason: 'config-change-pending', leaderId: r.id };
    }
    if (applyChange(r.config(), change).voters.length === 0) {
      return { ok: false, reason: 'invalid-request', leaderId: r.id };
    }
    const index = appendEntries(r, [{ type: 'config', data: encodeConfigChange(change) }]);
    if (r.role === 'leader') maybeCommit(r);
    return { ok: true, index, term: r.term };
  }

  private refuseProposal(count: number): ProposeResult | null {
    const r = this.r;
    if (r.role !== 'leader') return { ok: false, reason: 'not-leader', leaderId: r.lead };
    if (r.transferee !== null) return { ok: false, reason: 'transfer-in-progress', leaderId: r.id };
    if (r.log.lastIndex() - r.log.committed + count > r.opts.maxUncommittedEntries) {
      return { ok: false, reason: 'window-full', leaderId: r.id };
    }
    return null;
  }

  /**
   * Asks for a linearizable read point. `pending` means a ReadState (or a ReadRefusal) with this
   * `context` will come in a later Ready; serve the read once applied >= its index. Contexts must
   * be unique across the cluster (e.g. node id + counter): the leader deduplicates by context.
   */
  readIndex(context: string): ReadIndexResult {
    return readIndex(this.r, context);
  }

  /** Hands leadership to voter `to` (leader only). Proposals are refused until it completes or aborts. */
  transferLeadership(to: NodeId): ProposeResult {
    return transferLeadership(this.r, to);
  }

  /**
   * The driver learned that `peer`'s process is gone: its connection closed and reconnecting was
   * refused (a killed process's sockets are closed by its kernel at once). If `peer` is this
   * follower's leader, the follower stops treating it as leader (no lease, no leader hint) and
   * campaigns after a short random delay (UNREACHABLE_DELAY_SHARE of an election timeout)
   * instead of a whole timeout. A no-op for any other peer or role. Safe to call on a wrong
   * report: PreVote still needs a majority that stopped hearing from the leader.
   */
  reportUnreachable(peer: NodeId): void {
    leaderUnreachable(this.r, peer);
  }

  /**
   * The driver opened a connection to `peer` (it is up). A follower that knows no leader then
   * polls after a short random delay (UNREACHABLE_DELAY_SHARE of an election timeout) instead of
   * a whole timeout: a starting cluster elects its first leader about as soon as its nodes can
   * reach each other. A no-op for any other role, or with a leader known.
   */
  reportReachable(peer: NodeId): void {
    peerReachable(this.r, peer);
  }

  /** Starts an election now (PreVote first when enabled). No-op on leaders, learners and non-members. */
  campaign(): void {
    hup(this.r);
  }

  /** True when ready() has something for the driver. */
  hasReady(): boolean {
    return this.outstanding === null && hasReady(this.r);
  }

  /** What to persist, send, apply and serve now. Call advance(ready) before the next ready(). */
  ready(): Ready {
    assert(this.outstanding === null, 'ready() called again before advance()');
    this.outstanding = buildReady(this.r);
    return this.outstanding;
  }

  /** The driver did everything `ready` asked (persisted, sent, applied). */
  advance(ready: Ready): void {
    assert(this.outstanding === ready, 'advance() must get the Ready returned by the last ready()');
    this.outstanding = null;
    advanceReady(this.r, ready);
  }

  status(): RaftStatus {
    return statusOf(this.r);
  }
}
