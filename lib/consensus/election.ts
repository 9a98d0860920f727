/**
 * Elections: PreVote polls (§9.6), real campaigns, vote granting (§5.2, §5.4.1) and tallying.
 * Any node answers vote requests on term and log alone, whatever its own config says
 * (dissertation §4.2.3): only the candidate's config decides whose votes count, so a learner
 * that has not yet seen its promotion can still help elect a leader.
 */
import { becomeLeader } from './leader.js';
import { followerRole } from './log-ops.js';
import { UNREACHABLE_DELAY_SHARE } from './options.js';
import { voteResult } from './quorum.js';
import { becomeCandidate, becomeFollower, becomePreCandidate } from './roles.js';
import type { RaftState } from './state.js';
import type { Message, NodeId } from './types.js';

/** Starts an election if this node may: by PreVote first, or straight away for a transfer. */
export function hup(r: RaftState, transfer = false): void {
  if (r.role === 'leader' || !r.promotable()) return;
  campaign(r, r.opts.preVote && !transfer ? 'pre-vote' : 'vote', transfer);
}

function campaign(r: RaftState, kind: 'pre-vote' | 'vote', transfer: boolean): void {
  if (kind === 'pre-vote') becomePreCandidate(r);
  else becomeCandidate(r);
  const voteTerm = kind === 'pre-vote' ? r.term + 1 : r.term;
  r.votes.set(r.id, true);
  if (voteResult(r.config().voters, r.votes) === 'won') {
    if (kind === 'pre-vote') campaign(r, 'vote', false);
    else becomeLeader(r);
    return;
  }
  const lastIndex = r.log.lastIndex();
  const lastTerm = r.log.lastTerm();
  for (const to of r.config().voters) {
    if (to === r.id) continue;
    r.send({ type: kind, from: r.id, to, term: voteTerm, lastIndex, lastTerm, transfer });
  }
}

/** Answers a (pre-)vote request whose term is not stale (step checked it and the lease). */
export function handleVoteRequest(r: RaftState, m: Extract<Message, { type: 'vote' | 'pre-vote' }>): void {
  const canVote =
    r.vote === m.from || (r.vote === null && r.lead === null) || (m.type === 'pre-vote' && m.term > r.term);
  const upToDate = r.opts.bugs.voteWithoutLogCheck === true || r.log.isUpToDate(m.lastIndex, m.lastTerm);
  const type = m.type === 'vote' ? 'vote-response' : 'pre-vote-response';
  if (canVote && upToDate && !r.repairing()) {
    // A granted pre-vote answers in the polled term, so the pre-candidate can tell it from stale ones.
    r.send({ type, from: r.id, to: m.from, term: m.term, granted: true });
    if (m.type === 'vote') {
      r.electionElapsed = 0;
      r.vote = m.from;
    } else if (r.role === 'pre-candidate' && outranks(r, m)) {
      yieldPreCampaign(r);
    }
  } else {
    r.send({ type, from: r.id, to: m.from, term: r.term, granted: false });
  }
  if (m.type === 'pre-vote' && r.role === 'pre-candidate' && !r.votes.has(m.from)) repoll(r, m.from);
}

/**
 * A poll from a peer proves that the peer lost its leader too, so a poll of ours it has not
 * answered (ignored inside its lease, or lost) is worth sending again now rather than after a
 * whole election timeout: the peer told of a dead leader just after our poll reached it would
 * otherwise leave the better-placed of the two waiting a full timeout.
 */
function repoll(r: RaftState, to: NodeId): void {
  if (!r.config().voters.includes(to)) return;
  r.send({
    type: 'pre-vote',
    from: r.id,
    to,
    term: r.term + 1,
    lastIndex: r.log.lastIndex(),
    lastTerm: r.log.lastTerm(),
    transfer: false,
  });
}

/**
 * Two pre-candidates polling at once (both lost the same leader at the same moment) would grant
 * each other's poll, both campaign, and split the vote: a whole election timeout lost. The one
 * whose poll is granted to a better-placed peer (a more up-to-date log, or an equal one and the
 * smaller id) steps back instead, so exactly one of the pair campaigns. Pre-votes change no term
 * and no vote, so stepping back touches liveness only; the usual timeout still runs.
 */
function outranks(r: RaftState, m: Extract<Message, { type: 'vote' | 'pre-vote' }>): boolean {
  const lastTerm = r.log.lastTerm();
  if (m.lastTerm !== lastTerm) return m.lastTerm > lastTerm;
  const lastIndex = r.log.lastIndex();
  if (m.lastIndex !== lastIndex) return m.lastIndex > lastIndex;
  return m.from < r.id;
}

function yieldPreCampaign(r: RaftState): void {
  r.role = followerRole(r);
  r.votes.clear();
}

/**
 * The driver learned that `peer`'s process is gone (its connection closed and reconnecting was
 * refused). A follower of `peer` forgets it as leader, which ends its lease so it grants polls
 * at once, and campaigns after a short random delay instead of a whole election timeout. PreVote
 * still guards the cluster: the poll wins only if a majority also stopped hearing from `peer`,
 * so a wrong report (a flaky link to a live leader) costs one refused poll, never a new term.
 */
export function leaderUnreachable(r: RaftState, peer: NodeId): void {
  if (r.role !== 'follower' || r.lead !== peer || peer === r.id) return;
  r.lead = null;
  pollSoon(r);
}

/**
 * A connection to `peer` opened: it is up and listening. A follower that knows no leader (a
 * cluster starting, a node just restarted) polls after the same short random delay instead of
 * a whole election timeout, as etcd advances its election ticks at boot once a peer is active.
 * A follower with a leader ignores it; PreVote keeps a wrong guess harmless (a node restarted
 * into a cluster that has a leader is refused by the peers in their lease, and hears the leader
 * within a heartbeat).
 */
export function peerReachable(r: RaftState, peer: NodeId): void {
  if (r.role !== 'follower' || r.lead !== null || peer === r.id || !r.promotable()) return;
  pollSoon(r);
}

/** Brings the election timer within a short random delay (1 to unreachableDelayTicksMax ticks) of firing. */
function pollSoon(r: RaftState): void {
  const delay = 1 + r.opts.random.nextInt(unreachableDelayTicksMax(r.opts.electionTicks));
  r.electionElapsed = Math.max(r.electionElapsed, r.randomizedElectionTicks - delay);
}

/** The spread of the delay above: long enough that two followers rarely poll in the same instant. */
export function unreachableDelayTicksMax(electionTicks: number): number {
  return Math.max(1, Math.ceil(electionTicks * UNREACHABLE_DELAY_SHARE));
}

/** Counts a (pre-)vote answer; wins, loses, or keeps waiting. */
export function handleVoteResponse(
  r: RaftState,
  m: Extract<Message, { type: 'vote-response' | 'pre-vote-response' }>,
): void {
  const expected = r.role === 'pre-candidate' ? 'pre-vote-response' : 'vote-response';
  if (m.type !== expected || r.votes.has(m.from)) return;
  r.votes.set(m.from, m.granted);
  const result = voteResult(r.config().voters, r.votes);
  if (result === 'won') {
    if (r.role === 'pre-candidate') campaign(r, 'vote', false);
    else becomeLeader(r);
  } else if (result === 'lost') {
    becomeFollower(r, r.term, null);
  }
}
