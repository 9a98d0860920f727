/**
 * Leadership transfer (dissertation §3.10): the leader stops taking proposals, brings the
 * target's log up to date, then sends it timeout-now; the target campaigns at once with
 * `transfer` set, so voters grant it even inside their leader lease. The leader abandons the
 * transfer after an election timeout (tickLeader) or when the target leaves the config.
 */
import { sendAppend } from './replication.js';
import type { RaftState } from './state.js';
import type { NodeId, ProposeResult } from './types.js';

/** Starts (or redirects) a transfer to `to`; refusals are values. */
export function transferLeadership(r: RaftState, to: NodeId): ProposeResult {
  if (r.role !== 'leader') return { ok: false, reason: 'not-leader', leaderId: r.lead };
  const accepted: ProposeResult = { ok: true, index: r.log.lastIndex(), term: r.term };
  if (to === r.id || r.transferee === to) return accepted;
  const pr = r.progress.get(to);
  if (pr === undefined || !r.isVoter(to)) return { ok: false, reason: 'invalid-request', leaderId: r.id };
  r.transferee = to;
  r.electionElapsed = 0;
  if (pr.match === r.log.lastIndex()) r.send({ type: 'timeout-now', from: r.id, to, term: r.term });
  else sendAppend(r, to);
  return accepted;
}
