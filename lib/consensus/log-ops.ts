/**
 * The only ways the log changes shape (append, commit, snapshot restore), each keeping the
 * membership in step: a config entry takes effect when appended, is undone when truncated, and
 * the leader's progress set follows the config at once.
 */
import { isMember, isVoter, members } from './membership.js';
import { Progress } from './progress.js';
import type { RaftState } from './state.js';
import type { Entry, Role, Snapshot } from './types.js';

/** Appends entries (truncating any conflicting suffix) and follows config entries among them. */
export function appendToLog(r: RaftState, entries: readonly Entry[]): void {
  if (entries.length === 0) return;
  r.log.append(entries);
  if (r.membership.onAppend(entries)) onConfigChanged(r);
}

/** Moves the commit index forward; committed config entries become the membership's base. */
export function commitTo(r: RaftState, index: number): boolean {
  if (!r.log.commitTo(index)) return false;
  r.membership.onCommit(index);
  return true;
}

/** Replaces the log with a snapshot received from the leader. */
export function restoreSnapshot(r: RaftState, snapshot: Snapshot): void {
  r.log.restore(snapshot);
  if (r.membership.restore(snapshot)) onConfigChanged(r);
}

/** The role a non-leader, non-candidate node has under the current config. */
export function followerRole(r: RaftState): Role {
  return r.config().learners.includes(r.id) ? 'learner' : 'follower';
}

/** Makes role, progress set and transfer agree with a config that just changed. */
export function onConfigChanged(r: RaftState): void {
  if (r.role === 'follower' || r.role === 'learner') r.role = followerRole(r);
  if (r.role !== 'leader') return;
  const config = r.config();
  for (const id of members(config)) {
    if (r.progress.has(id)) continue;
    const pr = new Progress(id, r.log.lastIndex() + 1, r.opts.maxInflightAppends);
    // A new member gets an election timeout to answer before CheckQuorum counts it as silent.
    pr.recentActive = true;
    r.progress.set(id, pr);
  }
  for (const id of [...r.progress.keys()]) {
    if (id !== r.id && !isMember(config, id)) r.progress.delete(id);
  }
  if (r.transferee !== null && !isVoter(config, r.transferee)) r.transferee = null;
}
