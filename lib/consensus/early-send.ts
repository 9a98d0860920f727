/**
 * Which messages of a Ready may leave BEFORE it is persisted (Raft dissertation §10.2.1: a leader
 * writes its own log in parallel with replicating it, so an acknowledgement costs one fsync of
 * latency, not two). A leader's `append` and `heartbeat` messages acknowledge nothing: the entries
 * they carry count toward commit only once followers persist them, and the leader counts its own
 * copy only after its persist (advance). Every other message (votes, responses) vouches for state
 * and waits for the persist. Allowed only while the Ready changes neither term nor vote: a message
 * of a term that is not yet durable could outlive a crash that forgets the term.
 */
import type { HardState, Message, Ready } from './types.js';

/** The messages of `ready` split by whether they may be sent before `ready` is persisted. */
export interface SplitMessages {
  readonly beforePersist: readonly Message[];
  readonly afterPersist: readonly Message[];
}

const NONE: readonly Message[] = [];

/** Splits `ready.messages`; `persisted` is the hard state already durable before this Ready. */
export function splitMessages(ready: Ready, persisted: HardState): SplitMessages {
  const hs = ready.hardState;
  const sameTermAndVote = hs === null || (hs.term === persisted.term && hs.vote === persisted.vote);
  if (!sameTermAndVote || ready.snapshot !== null)
    return { beforePersist: NONE, afterPersist: ready.messages };
  let early: Message[] | null = null;
  let late: Message[] | null = null;
  for (const message of ready.messages) {
    if (message.type === 'append' || message.type === 'heartbeat') (early ??= []).push(message);
    else (late ??= []).push(message);
  }
  return { beforePersist: early ?? NONE, afterPersist: late ?? NONE };
}
