/** The observer's view of a node (for /stats, /cluster, tests); never an input to decisions. */
import { isVoter } from './membership.js';
import type { RaftState } from './state.js';
import type { PeerProgress, RaftStatus } from './types.js';

/** A consistent snapshot of `r`'s state. */
export function statusOf(r: RaftState): RaftStatus {
  const config = r.config();
  const progress: PeerProgress[] = [];
  if (r.role === 'leader') {
    for (const pr of r.progress.values()) {
      progress.push({
        id: pr.id,
        voter: isVoter(config, pr.id),
        matchIndex: pr.match,
        nextIndex: pr.next,
        lastContactTicks: pr.id === r.id ? 0 : pr.lastContactTicks,
        state: pr.state,
        inflight: pr.inflights.size,
      });
    }
  }
  return {
    id: r.id,
    role: r.role,
    term: r.term,
    leaderId: r.lead,
    commitIndex: r.log.committed,
    appliedIndex: r.log.applied,
    lastIndex: r.log.lastIndex(),
    firstIndex: r.log.firstIndex(),
    config: { voters: [...config.voters], learners: [...config.learners] },
    progress,
    transferee: r.transferee,
  };
}
