/**
 * Linearizable reads by ReadIndex (Raft thesis §6.4). The leader (1) must have committed an
 * entry of its own term, (2) records its commit index as the read point, (3) confirms it is still
 * leader by a heartbeat round acked by a quorum of voters, then (4) releases the read point: as a
 * ReadState when it asked itself, as a read-index-response when a follower forwarded the read.
 */
import { MAX_PENDING_READS } from './options.js';
import { hasQuorum } from './quorum.js';
import type { PendingRead } from './read-only.js';
import { bcastHeartbeat } from './replication.js';
import type { RaftState } from './state.js';
import type { NodeId, ProposeResult, RefusalReason } from './types.js';

/** readIndex's answer: refused, or accepted with the ReadState (or ReadRefusal) to come in a Ready. */
export type ReadIndexResult =
  | Extract<ProposeResult, { ok: false }>
  | { readonly ok: true; readonly pending: true };

const PENDING: ReadIndexResult = { ok: true, pending: true };

/** Starts a read on this node: on the leader directly, on a follower by forwarding it to the leader. */
export function readIndex(r: RaftState, context: string): ReadIndexResult {
  if (r.role === 'leader') {
    const refusal = leaderRead(r, context, r.id);
    return refusal === null ? PENDING : { ok: false, reason: refusal, leaderId: r.id };
  }
  if (r.lead === null) return { ok: false, reason: 'not-leader', leaderId: null };
  r.send({ type: 'read-index', from: r.id, to: r.lead, term: r.term, context });
  return PENDING;
}

/** The leader takes a read from `from` (itself or a follower); the refusal reason, or null when queued. */
export function leaderRead(r: RaftState, context: string, from: NodeId): RefusalReason | null {
  if (r.readOnly.has(context) || r.readsAwaitingCommit.some((w) => w.context === context)) return null;
  if (r.readOnly.size + r.readsAwaitingCommit.length >= MAX_PENDING_READS) return 'window-full';
  if (r.opts.bugs.readWithoutQuorum) {
    answer(r, { context, index: r.log.committed, from, acks: new Set() });
  } else if (!r.committedInCurrentTerm()) {
    r.readsAwaitingCommit.push({ context, from });
  } else {
    startRound(r, [{ context, from }]);
  }
  return null;
}

/** Queues reads at the current commit index and asks the voters to confirm leadership once. */
function startRound(r: RaftState, reads: readonly { context: string; from: NodeId }[]): void {
  if (reads.length === 0) return;
  for (const { context, from } of reads) {
    const read = r.readOnly.add(context, r.log.committed, from);
    if (r.isVoter()) read.acks.add(r.id);
  }
  const last = reads[reads.length - 1].context;
  onReadAck(r, r.id, last);
  if (r.readOnly.has(last)) bcastHeartbeat(r, last);
}

/** A voter acked a heartbeat carrying `context`: release every read a quorum now confirms. */
export function onReadAck(r: RaftState, from: NodeId, context: string): void {
  const read = r.isVoter(from) ? r.readOnly.ack(context, from) : undefined;
  if (read === undefined || !hasQuorum(r.config().voters, read.acks)) return;
  for (const done of r.readOnly.releaseThrough(context)) answer(r, done);
}

/** After the leader's first commit in its term: the reads that waited for it start their round. */
export function releaseAwaitingReads(r: RaftState): void {
  if (r.readsAwaitingCommit.length === 0 || !r.committedInCurrentTerm()) return;
  const waiting = r.readsAwaitingCommit;
  r.readsAwaitingCommit = [];
  startRound(r, waiting);
}

/** Leadership is lost: every pending read is refused so no caller waits forever. */
export function failPendingReads(r: RaftState, leaderId: NodeId | null): void {
  const all = [...r.readOnly.drain(), ...r.readsAwaitingCommit];
  r.readsAwaitingCommit = [];
  for (const { context, from } of all) refuseRead(r, context, from, 'not-leader', leaderId);
}

/** Refuses the read `context` asked by `from` (this node or a follower). */
export function refuseRead(
  r: RaftState,
  context: string,
  from: NodeId,
  reason: RefusalReason,
  leaderId: NodeId | null,
): void {
  if (from === r.id) r.readRefusals.push({ context, reason, leaderId });
  else
    r.send({ type: 'read-index-response', from: r.id, to: from, term: r.term, context, index: -1, reason });
}

function answer(r: RaftState, read: PendingRead): void {
  if (read.from === r.id) r.readStates.push({ context: read.context, index: read.index });
  else
    r.send({
      type: 'read-index-response',
      from: r.id,
      to: read.from,
      term: r.term,
      context: read.context,
      index: read.index,
      reason: null,
    });
}
