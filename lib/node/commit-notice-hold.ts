/**
 * Holds a leader's commit-only appends (append messages without entries: they tell a follower
 * the new commit index and nothing else) for a moment, because under load the next append with
 * entries carries a newer commit to the same follower anyway. A held notice that a later append
 * to its peer supersedes is dropped; one that rides with other messages to its peer goes in the
 * same frame; the rest leave after COMMIT_NOTICE_HOLD_MS.
 *
 * Why: every commit advance broadcast such a notice to each follower, which acked it: half of a
 * leader's peer writes and reads under single-entry writes (perf syscall counts, docs/
 * performance.md), each a wakeup on a loaded 2-core machine. Safety is untouched: a dropped
 * notice is a lost message, which Raft tolerates (the transport drops them under back-pressure
 * too), and client acks wait for the leader's own commit, never for a follower to learn it.
 * Followers learn a commit at most COMMIT_NOTICE_HOLD_MS later (a heartbeat also carries it).
 */
import type { Message, NodeId } from '../consensus/index.js';
import type { Transport } from '../transport/index.js';

/** Longest a commit notice waits for an append to ride with: a follower's apply and reads lag by at most this. */
export const COMMIT_NOTICE_HOLD_MS = 2;

function isCommitNotice(m: Message): boolean {
  return m.type === 'append' && m.entries.length === 0;
}

/** A send path for a Ready's messages that coalesces commit notices as described above. */
export class CommitNoticeHold {
  readonly #held = new Map<NodeId, Message>();
  #timer: NodeJS.Timeout | null = null;

  constructor(private readonly transport: Pick<Transport, 'send'>) {}

  /** Sends `messages`, holding or dropping commit notices as described above. */
  send(messages: readonly Message[]): void {
    let out: Message[] | null = null;
    for (const m of messages) {
      if (isCommitNotice(m)) {
        this.#held.set(m.to, m);
        continue;
      }
      const held = this.#held.get(m.to);
      if (held !== undefined) {
        this.#held.delete(m.to);
        // An append carries a commit at least as new: the notice says nothing more.
        if (m.type !== 'append' || m.term !== held.term) (out ??= []).push(held);
      }
      (out ??= []).push(m);
    }
    if (out !== null) this.transport.send(out);
    if (this.#held.size > 0 && this.#timer === null) {
      this.#timer = setTimeout(() => this.flush(), COMMIT_NOTICE_HOLD_MS);
    }
  }

  /** Sends every held notice now. */
  flush(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#held.size === 0) return;
    const held = [...this.#held.values()];
    this.#held.clear();
    this.transport.send(held);
  }

  /** Drops what is held (the node stops; Raft treats them as lost). */
  clear(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#held.clear();
  }
}
