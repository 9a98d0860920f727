/**
 * Role transitions other than becoming leader (leader.ts): follower (or learner), pre-candidate,
 * candidate. Leaving leadership refuses the pending reads so no caller waits forever.
 */
import { assert } from '../assert.js';
import { followerRole } from './log-ops.js';
import { failPendingReads } from './reads.js';
import type { RaftState } from './state.js';
import type { NodeId } from './types.js';

/** Resets per-term state; the vote survives only when the term does not change. */
export function reset(r: RaftState, term: number): void {
  if (r.term !== term) {
    r.term = term;
    r.vote = null;
  }
  r.lead = null;
  r.electionElapsed = 0;
  r.heartbeatElapsed = 0;
  r.resetRandomizedElectionTimeout();
  r.votes.clear();
  r.transferee = null;
}

/** Follows `lead` (null: unknown) in `term`. */
export function becomeFollower(r: RaftState, term: number, lead: NodeId | null): void {
  if (r.role === 'leader') failPendingReads(r, lead);
  reset(r, term);
  r.lead = lead;
  r.role = followerRole(r);
  r.progress.clear();
}

/** PreVote: polls the voters for term+1 without touching the term, so a losing poll disrupts nobody. */
export function becomePreCandidate(r: RaftState): void {
  assert(r.role !== 'leader', 'a leader does not pre-campaign');
  r.role = 'pre-candidate';
  r.lead = null;
  r.votes.clear();
  r.electionElapsed = 0;
  r.resetRandomizedElectionTimeout();
}

export function becomeCandidate(r: RaftState): void {
  assert(r.role !== 'leader', 'a leader does not campaign');
  reset(r, r.term + 1);
  r.vote = r.id;
  r.role = 'candidate';
}
