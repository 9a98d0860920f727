/**
 * The entry point for peer messages: term rules first (§5.1, with the PreVote and leader-lease
 * exceptions of §9.6), then dispatch by role.
 */
import { handleVoteRequest, handleVoteResponse, hup } from './election.js';
import { handleAppend, handleHeartbeat, handleReadIndexResponse, handleSnapshot } from './follower.js';
import { stepLeader } from './leader.js';
import { leaderRead, refuseRead } from './reads.js';
import { becomeFollower } from './roles.js';
import type { RaftState } from './state.js';
import type { Message } from './types.js';

/** Feeds one message from a peer. Stale, foreign and misaddressed messages are dropped or answered here. */
export function step(r: RaftState, m: Message): void {
  if (m.to !== r.id || m.from === r.id) return;
  if (m.term > r.term && !acceptHigherTerm(r, m)) return;
  if (m.term < r.term) {
    answerStale(r, m);
    return;
  }
  if (m.type === 'vote' || m.type === 'pre-vote') {
    handleVoteRequest(r, m);
  } else if (r.role === 'leader') {
    if (m.type === 'read-index') readOnLeader(r, m);
    else stepLeader(r, m);
  } else if (r.role === 'candidate' || r.role === 'pre-candidate') {
    stepCandidate(r, m);
  } else {
    stepFollower(r, m);
  }
}

/** A message from a later term: usually adopt the term; false when it must be ignored. */
function acceptHigherTerm(r: RaftState, m: Message): boolean {
  if ((m.type === 'vote' || m.type === 'pre-vote') && !m.transfer && r.inLease()) {
    // Leader lease: we heard from a live leader less than an election timeout ago, so this
    // candidate is partitioned or stale; ignoring it keeps it from deposing a healthy leader.
    return false;
  }
  if (m.type === 'pre-vote' || (m.type === 'pre-vote-response' && m.granted)) return true;
  const fromLeader = m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot';
  becomeFollower(r, m.term, fromLeader ? m.from : null);
  return true;
}

/**
 * A message from an earlier term. A stale leader is told the current term (else, under
 * CheckQuorum/PreVote, a partitioned leader could never learn it lost); a stale pre-candidate is
 * refused so it stops polling. Everything else is dropped.
 */
function answerStale(r: RaftState, m: Message): void {
  if ((m.type === 'append' || m.type === 'heartbeat') && (r.opts.checkQuorum || r.opts.preVote)) {
    r.send({
      type: 'append-response',
      from: r.id,
      to: m.from,
      term: r.term,
      success: false,
      index: 0,
      hintIndex: 0,
      hintTerm: 0,
    });
  } else if (m.type === 'pre-vote') {
    r.send({ type: 'pre-vote-response', from: r.id, to: m.from, term: r.term, granted: false });
  }
}

function readOnLeader(r: RaftState, m: Extract<Message, { type: 'read-index' }>): void {
  const refusal = leaderRead(r, m.context, m.from);
  if (refusal !== null) refuseRead(r, m.context, m.from, refusal, r.id);
}

function stepCandidate(r: RaftState, m: Message): void {
  if (m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot') {
    becomeFollower(r, r.term, m.from);
    stepFollower(r, m);
  } else if (m.type === 'vote-response' || m.type === 'pre-vote-response') {
    handleVoteResponse(r, m);
  } else if (m.type === 'read-index') {
    refuseRead(r, m.context, m.from, 'not-leader', null);
  }
}

function stepFollower(r: RaftState, m: Message): void {
  switch (m.type) {
    case 'append':
    case 'heartbeat':
    case 'snapshot':
      r.electionElapsed = 0;
      r.lead = m.from;
      if (m.type === 'append') handleAppend(r, m);
      else if (m.type === 'heartbeat') handleHeartbeat(r, m);
      else handleSnapshot(r, m);
      return;
    case 'timeout-now':
      hup(r, true);
      return;
    case 'read-index':
      refuseRead(r, m.context, m.from, 'not-leader', r.lead);
      return;
    case 'read-index-response':
      handleReadIndexResponse(r, m);
      return;
    default:
      return;
  }
}
