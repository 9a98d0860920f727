/**
 * How the leader sends its log: appends (batched up to maxAppendBytes, pipelined within each
 * follower's in-flight window), heartbeats (carrying a safe commit index and the newest ReadIndex
 * context) and snapshots for followers that need compacted entries.
 */
import { assert } from '../assert.js';
import type { Progress } from './progress.js';
import type { RaftState } from './state.js';
import type { NodeId } from './types.js';

/**
 * Sends `to` the entries it lacks, or a snapshot when they were compacted. With `sendIfEmpty`
 * false nothing is sent when there is nothing new. Returns whether a message was sent.
 */
export function sendAppend(r: RaftState, to: NodeId, sendIfEmpty = true): boolean {
  const pr = r.progress.get(to);
  if (pr === undefined || to === r.id || pr.isPaused()) return false;
  const prevIndex = pr.next - 1;
  assert(
    prevIndex <= r.log.lastIndex(),
    `${to} is said to match past the leader's log (leader completeness broken)`,
  );
  const prevTerm = r.log.term(prevIndex);
  const entries =
    prevTerm === undefined ? undefined : r.log.entries(pr.next, r.log.lastIndex() + 1, r.opts.maxAppendBytes);
  if (prevTerm === undefined || entries === undefined) return sendSnapshot(r, pr);
  if (entries.length === 0 && !sendIfEmpty) return false;
  r.send({
    type: 'append',
    from: r.id,
    to,
    term: r.term,
    prevIndex,
    prevTerm,
    entries,
    commit: r.log.committed,
  });
  pr.sentAppend(entries.at(-1)?.index ?? prevIndex, entries.length > 0);
  return true;
}

function sendSnapshot(r: RaftState, pr: Progress): boolean {
  const snapshot = r.log.snapshot();
  assert(snapshot.index > 0, `entries before ${pr.next} are gone but there is no snapshot`);
  r.send({ type: 'snapshot', from: r.id, to: pr.id, term: r.term, snapshot });
  pr.becomeSnapshot(snapshot.index);
  return true;
}

/**
 * A heartbeat never carries a commit beyond what `to` is known to hold: the follower cannot
 * check a heartbeat against its log, so min(match, commit) is what keeps it safe.
 */
export function sendHeartbeat(r: RaftState, to: NodeId, context: string): void {
  const pr = r.progress.get(to);
  if (pr === undefined) return;
  const commit = Math.min(pr.match, r.log.committed);
  r.send({ type: 'heartbeat', from: r.id, to, term: r.term, commit, context });
}

/** Every peer, in progress-map order (deterministic: config order). */
function peers(r: RaftState): NodeId[] {
  return [...r.progress.keys()].filter((id) => id !== r.id);
}

/** Sends each peer what it lacks (an empty append too when `sendIfEmpty`, to carry the commit). */
export function bcastAppend(r: RaftState, sendIfEmpty = true): void {
  for (const id of peers(r)) sendAppend(r, id, sendIfEmpty);
}

/** Heartbeats every peer, carrying the newest pending read context so a lost round is retried. */
export function bcastHeartbeat(r: RaftState, context: string = r.readOnly.lastContext()): void {
  for (const id of peers(r)) sendHeartbeat(r, id, context);
}
