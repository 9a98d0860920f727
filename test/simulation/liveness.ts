/**
 * The liveness phase's two questions: which nodes to heal, and when the cluster has converged.
 */
import type { NodeId, RaftStatus } from '../../lib/consensus/types.js';
import type { Prng } from '../../lib/prng.js';
import type { Checker } from './checker.js';
import { shuffle } from './random-order.js';
import type { SimNode } from './sim-node.js';

/**
 * A random set of nodes holding a majority of the voters of EVERY membership some node acts on
 * (uncommitted changes included): whichever of them ends up in force, the set can elect and
 * commit. Without membership changes, simply a random majority.
 */
export function pickMajority(nodes: readonly SimNode[], ids: readonly NodeId[], prng: Prng): NodeId[] {
  const configs = nodes.map((n) => n.status()?.config.voters ?? ids);
  const chosen: NodeId[] = [];
  for (const id of shuffle(prng, ids)) {
    const lacking = configs.some(
      (voters) => 2 * voters.filter((v) => chosen.includes(v)).length <= voters.length,
    );
    if (!lacking) break;
    chosen.push(id);
  }
  return chosen.sort();
}

/**
 * Converged: among `members` a leader holds the highest term of its membership (voters and
 * learners), and every member that belongs to that membership applied every acknowledged write.
 * A node outside it (removed, and unaware: it lacks the entry that removed it, so it still
 * polls with its old config) may sit at any term: nobody talks to it any more, and the lease
 * keeps it from deposing the leader (dissertation §4.2.3).
 */
export function converged(members: readonly SimNode[], checker: Checker): boolean {
  let leader: RaftStatus | undefined;
  for (const node of members) {
    const status = node.status();
    if (status === undefined) return false;
    if (status.role === 'leader' && (leader === undefined || status.term > leader.term)) leader = status;
  }
  if (leader === undefined) return false;
  const { voters, learners } = leader.config;
  const inMembership = (n: SimNode): boolean => voters.includes(n.id) || learners.includes(n.id);
  const lead = leader;
  return members.every(
    (n) =>
      !inMembership(n) ||
      ((n.status()?.term ?? 0) <= lead.term && checker.appliedIndex(n.id) >= checker.ackedMaxIndex),
  );
}
