/**
 * Majority arithmetic over the voters of one config. Learners never appear here: they neither
 * vote nor count toward commit.
 */
import type { NodeId } from './types.js';

/** Votes needed to win among `voterCount` voters. */
export function quorumSize(voterCount: number): number {
  return Math.floor(voterCount / 2) + 1;
}

/**
 * The highest index replicated on a majority of `voters`, given each voter's match index
 * (0 for unknown). 0 when there are no voters.
 */
export function committedIndex(voters: readonly NodeId[], matchOf: (id: NodeId) => number): number {
  if (voters.length === 0) return 0;
  const matches = voters.map(matchOf).sort((a, b) => b - a);
  return matches[quorumSize(voters.length) - 1];
}

/** The outcome of a vote (or of any yes/no poll of the voters, like a ReadIndex round). */
export type VoteResult = 'won' | 'lost' | 'pending';

/** Tallies `votes` (true = granted) of `voters`; answers from non-voters are ignored. */
export function voteResult(voters: readonly NodeId[], votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  if (voters.length === 0) return 'lost';
  let granted = 0;
  let rejected = 0;
  for (const id of voters) {
    const vote = votes.get(id);
    if (vote === true) granted++;
    else if (vote === false) rejected++;
  }
  const needed = quorumSize(voters.length);
  if (granted >= needed) return 'won';
  if (voters.length - rejected < needed) return 'lost';
  return 'pending';
}

/** True when the members of `ids` that are voters form a majority of `voters`. */
export function hasQuorum(voters: readonly NodeId[], ids: ReadonlySet<NodeId>): boolean {
  let count = 0;
  for (const id of voters) if (ids.has(id)) count++;
  return voters.length > 0 && count >= quorumSize(voters.length);
}
