/**
 * What the leader knows about one peer's log, and how it sends to it:
 * - probe: the match point is unknown; one append per heartbeat interval until one succeeds.
 * - replicate: the match point is known; appends stream optimistically (nextIndex advances on
 *   send) within a bounded in-flight window.
 * - snapshot: the peer needs entries that were compacted; one snapshot is in flight, appends wait.
 */
import { Inflights } from './inflights.js';
import type { NodeId } from './types.js';

/** The three replication states (see the file comment). */
export type ProgressState = 'probe' | 'replicate' | 'snapshot';

/** Replication progress of one peer (or of the leader itself: its persisted match). */
export class Progress {
  readonly id: NodeId;
  /** Highest index known to match the leader's log. */
  match = 0;
  /** Next index to send. */
  next: number;
  state: ProgressState = 'probe';
  /** Probe state: an append was sent and not yet answered (or the heartbeat interval has not passed). */
  probeSent = false;
  /** Snapshot state: the index of the snapshot in flight. */
  pendingSnapshot = 0;
  /** Snapshot state: ticks since the snapshot was sent (it is resent after an election timeout). */
  snapshotAgeTicks = 0;
  /** Heard from since the last CheckQuorum round. */
  recentActive = false;
  /** Ticks since the leader last heard from this peer. */
  lastContactTicks = 0;
  readonly inflights: Inflights;

  constructor(id: NodeId, next: number, maxInflight: number) {
    this.id = id;
    this.next = next;
    this.inflights = new Inflights(maxInflight);
  }

  /** Whether sending an append now must wait. */
  isPaused(): boolean {
    if (this.state === 'probe') return this.probeSent;
    if (this.state === 'replicate') return this.inflights.full();
    return true;
  }

  becomeProbe(): void {
    if (this.state === 'snapshot') {
      this.next = Math.max(this.match + 1, this.pendingSnapshot + 1);
    } else {
      this.next = this.match + 1;
    }
    this.resetState('probe');
  }

  /**
   * The follower's log ends at `lastIndex`, below what it had acknowledged: it lost entries (a
   * damaged log cut back by repair). Probe again from there.
   */
  lostEntries(lastIndex: number): void {
    this.match = Math.min(this.match, lastIndex);
    this.next = lastIndex + 1;
    this.resetState('probe');
  }

  becomeReplicate(): void {
    this.next = this.match + 1;
    this.resetState('replicate');
  }

  becomeSnapshot(index: number): void {
    this.resetState('snapshot');
    this.pendingSnapshot = index;
  }

  /** An append carrying entries up to `lastIndex` (or none: lastIndex = next - 1) was sent. */
  sentAppend(lastIndex: number, carriedEntries: boolean): void {
    if (this.state === 'replicate' && carriedEntries) {
      this.next = lastIndex + 1;
      this.inflights.add(lastIndex);
    } else if (this.state === 'probe') {
      this.probeSent = true;
    }
  }

  /** A success ack for `index`. True when it moved the match point. */
  maybeUpdate(index: number): boolean {
    const updated = index > this.match;
    if (updated) {
      this.match = index;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, index + 1);
    return updated;
  }

  /**
   * A rejection of the append at prevIndex `rejected`; `matchHint` is the highest index that may
   * still match. Returns false when the rejection is stale (answers an append sent before the
   * state changed).
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.probeSent = false;
    return true;
  }

  private resetState(state: ProgressState): void {
    this.state = state;
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.snapshotAgeTicks = 0;
    this.inflights.reset();
  }
}
