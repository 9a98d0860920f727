/**
 * The leader: taking office (noop of the new term), appending proposals, advancing the commit
 * index by counting persisted replicas of current-term entries (§5.4.2), reacting to append and
 * heartbeat acks, CheckQuorum, and stepping down once its own removal commits.
 */
import { appendToLog, commitTo } from './log-ops.js';
import { members } from './membership.js';
import { Progress } from './progress.js';
import { committedIndex, hasQuorum } from './quorum.js';
import { onReadAck, releaseAwaitingReads } from './reads.js';
import { bcastAppend, bcastHeartbeat, sendAppend } from './replication.js';
import { becomeFollower, reset } from './roles.js';
import type { RaftState } from './state.js';
import type { Entry, EntryType, Message } from './types.js';

const EMPTY = new Uint8Array(0);

/** Takes office: fresh progress for every member, then the noop that lets earlier entries commit. */
export function becomeLeader(r: RaftState): void {
  reset(r, r.term);
  r.lead = r.id;
  r.role = 'leader';
  r.progress.clear();
  const next = r.log.lastIndex() + 1;
  for (const id of new Set([r.id, ...members(r.config())])) {
    const pr = new Progress(id, next, r.opts.maxInflightAppends);
    pr.recentActive = true;
    r.progress.set(id, pr);
  }
  const self = r.progress.get(r.id)!;
  self.match = persistedLastIndex(r);
  self.becomeReplicate();
  appendEntries(r, [{ type: 'noop', data: EMPTY }]);
  bcastAppend(r);
}

/** The last index this node has persisted (what it may count for itself). */
function persistedLastIndex(r: RaftState): number {
  return Math.min(r.log.unstable.offset - 1, r.log.lastIndex());
}

/** Appends new entries of the current term; returns the index of the first. Sends go out with the next Ready. */
export function appendEntries(r: RaftState, items: readonly { type: EntryType; data: Uint8Array }[]): number {
  const first = r.log.lastIndex() + 1;
  const entries: Entry[] = items.map((item, i) => ({
    index: first + i,
    term: r.term,
    type: item.type,
    data: item.data,
  }));
  appendToLog(r, entries);
  r.appendPending = true;
  if (r.opts.bugs.leaderCountsUnpersisted) selfPersisted(r, first + items.length - 1);
  return first;
}

/** The leader persisted its log through `index` (advance()): it now counts for itself. */
export function selfPersisted(r: RaftState, index: number): void {
  const self = r.progress.get(r.id);
  if (self?.maybeUpdate(index)) maybeCommit(r);
}

/**
 * Commits the highest index a quorum of voters holds, if it is of the current term (older
 * entries commit only beneath one: Figure 8). Broadcasts the new commit. True when it moved.
 */
export function maybeCommit(r: RaftState): boolean {
  const index = committedIndex(r.config().voters, (id) => r.progress.get(id)?.match ?? 0);
  if (index <= r.log.committed) return false;
  if (r.log.term(index) !== r.term && !r.opts.bugs.commitPreviousTerm) return false;
  commitTo(r, index);
  releaseAwaitingReads(r);
  bcastAppend(r);
  if (!r.isVoter() && !r.membership.hasUncommitted()) stepDownRemoved(r);
  return true;
}

/** Removed (or demoted) by a committed config: hand over to the most caught-up voter and step down. */
function stepDownRemoved(r: RaftState): void {
  let best: Progress | undefined;
  for (const id of r.config().voters) {
    const pr = r.progress.get(id);
    if (pr !== undefined && (best === undefined || pr.match > best.match)) best = pr;
  }
  if (best !== undefined && best.match === r.log.lastIndex()) {
    r.send({ type: 'timeout-now', from: r.id, to: best.id, term: r.term });
  }
  becomeFollower(r, r.term, null);
}

/** Messages a leader acts on (votes were answered by step already). */
export function stepLeader(r: RaftState, m: Message): void {
  const pr = r.progress.get(m.from);
  if (pr === undefined) return;
  pr.recentActive = true;
  pr.lastContactTicks = 0;
  if (m.type === 'append-response') handleAppendResponse(r, m, pr);
  else if (m.type === 'heartbeat-response') handleHeartbeatResponse(r, m, pr);
}

function handleAppendResponse(
  r: RaftState,
  m: Extract<Message, { type: 'append-response' }>,
  pr: Progress,
): void {
  if (!m.success && m.index === 0) {
    // "My log is shorter than you think" (see handleHeartbeat): resend from where it ends.
    pr.lostEntries(m.hintIndex);
    sendAppend(r, m.from);
    return;
  }
  if (!m.success) {
    const probe = m.hintTerm > 0 ? r.log.findConflictByTerm(m.hintIndex, m.hintTerm).index : m.hintIndex;
    if (pr.maybeDecrTo(m.index, probe)) {
      if (pr.state === 'replicate') pr.becomeProbe();
      sendAppend(r, m.from);
    }
    return;
  }
  const wasPaused = pr.isPaused();
  if (!pr.maybeUpdate(m.index) && !(pr.match === m.index && pr.state === 'probe')) return;
  if (pr.state === 'probe') {
    pr.becomeReplicate();
  } else if (pr.state === 'snapshot' && pr.match + 1 >= r.log.firstIndex()) {
    pr.becomeProbe();
    pr.becomeReplicate();
  } else if (pr.state === 'replicate') {
    pr.inflights.freeLE(m.index);
  }
  if (maybeCommit(r)) {
    if (r.role !== 'leader') return;
  } else if (wasPaused) {
    sendAppend(r, m.from);
  }
  while (sendAppend(r, m.from, false)) {}
  if (m.from === r.transferee && pr.match === r.log.lastIndex()) {
    r.send({ type: 'timeout-now', from: r.id, to: m.from, term: r.term });
  }
}

function handleHeartbeatResponse(
  r: RaftState,
  m: Extract<Message, { type: 'heartbeat-response' }>,
  pr: Progress,
): void {
  pr.probeSent = false;
  if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirstOne();
  if (pr.state === 'snapshot' && pr.snapshotAgeTicks >= r.opts.electionTicks) pr.becomeProbe();
  if (pr.match < r.log.lastIndex() || pr.state === 'probe') sendAppend(r, m.from);
  if (m.context !== '') onReadAck(r, m.from, m.context);
}

/** One tick as leader: heartbeats, and every election timeout CheckQuorum and the transfer deadline. */
export function tickLeader(r: RaftState): void {
  r.heartbeatElapsed++;
  r.electionElapsed++;
  for (const pr of r.progress.values()) {
    pr.lastContactTicks++;
    if (pr.state === 'snapshot') pr.snapshotAgeTicks++;
  }
  if (r.electionElapsed >= r.opts.electionTicks) {
    r.electionElapsed = 0;
    if (r.opts.checkQuorum && !quorumActive(r)) {
      becomeFollower(r, r.term, null);
      return;
    }
    for (const pr of r.progress.values()) pr.recentActive = pr.id === r.id;
    r.transferee = null;
  }
  if (r.heartbeatElapsed >= r.opts.heartbeatTicks) {
    r.heartbeatElapsed = 0;
    bcastHeartbeat(r);
  }
}

/** CheckQuorum: did a quorum of voters (this leader included, if it votes) talk to us this round? */
function quorumActive(r: RaftState): boolean {
  const active = new Set<string>();
  for (const pr of r.progress.values()) if (pr.recentActive || pr.id === r.id) active.add(pr.id);
  return hasQuorum(r.config().voters, active);
}
