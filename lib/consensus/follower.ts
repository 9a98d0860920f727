/**
 * What a follower (or learner) does with the leader's messages: append with the log-matching
 * check and conflict truncation, heartbeats that carry a safe commit, snapshots, and answers to
 * reads it forwarded. Every answer leaves in a Ready after what it acknowledges was persisted.
 */
import { appendToLog, commitTo, restoreSnapshot } from './log-ops.js';
import type { RaftState } from './state.js';
import type { Message } from './types.js';

type Msg<T extends Message['type']> = Extract<Message, { type: T }>;

function reply(r: RaftState, to: string, success: boolean, index: number, hintIndex = 0, hintTerm = 0): void {
  r.send({ type: 'append-response', from: r.id, to, term: r.term, success, index, hintIndex, hintTerm });
}

/** Raft §5.3: accept entries that follow a matching (prevIndex, prevTerm), else reject with a hint. */
export function handleAppend(r: RaftState, m: Msg<'append'>): void {
  if (m.prevIndex < r.log.committed) {
    reply(r, m.from, true, r.log.committed);
    return;
  }
  const skipCheck = r.opts.bugs.appendWithoutPrevCheck === true && m.prevIndex <= r.log.lastIndex();
  if (skipCheck || r.log.matchTerm(m.prevIndex, m.prevTerm)) {
    const lastNew = m.prevIndex + m.entries.length;
    const conflict = r.log.findConflict(m.entries);
    if (conflict > 0) appendToLog(r, m.entries.slice(conflict - m.entries[0].index));
    commitTo(r, Math.min(m.commit, lastNew));
    reply(r, m.from, true, lastNew);
    return;
  }
  const hint = r.log.findConflictByTerm(Math.min(m.prevIndex, r.log.lastIndex()), m.prevTerm);
  reply(r, m.from, false, m.prevIndex, hint.index, hint.term);
}

/** The heartbeat's commit is min(match, commit), so it never exceeds what this log shares with the leader. */
export function handleHeartbeat(r: RaftState, m: Msg<'heartbeat'>): void {
  commitTo(r, Math.min(m.commit, r.log.lastIndex()));
  // A commit beyond this log means the leader counts entries this node no longer holds (its
  // damaged log was cut back): a rejection of index 0, which always matches, says so.
  if (m.commit > r.log.lastIndex()) reply(r, m.from, false, 0, r.log.lastIndex(), r.log.lastTerm());
  r.send({ type: 'heartbeat-response', from: r.id, to: m.from, term: r.term, context: m.context });
}

/** Installs a snapshot unless the log already holds its last entry (then only the commit moves). */
export function handleSnapshot(r: RaftState, m: Msg<'snapshot'>): void {
  const snapshot = m.snapshot;
  if (snapshot.index <= r.log.committed) {
    reply(r, m.from, true, r.log.committed);
  } else if (r.log.matchTerm(snapshot.index, snapshot.term)) {
    commitTo(r, snapshot.index);
    reply(r, m.from, true, r.log.committed);
  } else {
    restoreSnapshot(r, snapshot);
    reply(r, m.from, true, snapshot.index);
  }
}

/** The leader's answer to a read this node forwarded. */
export function handleReadIndexResponse(r: RaftState, m: Msg<'read-index-response'>): void {
  if (m.index >= 0) r.readStates.push({ context: m.context, index: m.index });
  else r.readRefusals.push({ context: m.context, reason: m.reason ?? 'not-leader', leaderId: r.lead });
}
