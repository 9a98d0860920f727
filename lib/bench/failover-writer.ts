/**
 * The writer that runs while the leader is killed: LOOPS_PER_NODE closed loops against every
 * node (followers forward to the leader), each with a short timeout and a short pause after a
 * failure, recording when each acknowledged write was sent. "Writes succeed again" is the first
 * acknowledged write that was sent after the kill, as a client that tries every node sees it.
 */

import { JsonHttp } from './http.js';
import { writeBody } from './workload.js';

/** Loops per node: while one waits out a request lost with the leader, another keeps trying. */
export const LOOPS_PER_NODE = 2;
/** A write unanswered this long is abandoned and retried (loopback writes take a few ms). */
export const WRITE_TIMEOUT_MS = 1_000;
/** Pause after a failed attempt: bounds the retry rate against a dead or leaderless node. */
export const RETRY_PAUSE_MS = 5;

/** A running writer; stop() ends its loops. */
export class FailoverWriter {
  readonly #http = new JsonHttp();
  readonly #urls: readonly string[];
  readonly #body = writeBody();
  #running = false;
  #loops: Promise<void>[] = [];
  /** Send times (performance.now) of acknowledged writes, with their completion times. */
  #acks: { sentAt: number; doneAt: number }[] = [];
  #waiters: { after: number; resolve: (doneAt: number) => void }[] = [];

  constructor(urls: readonly string[]) {
    this.#urls = urls;
  }

  /** Starts the loops. */
  start(): void {
    this.#running = true;
    for (const url of this.#urls) {
      for (let i = 0; i < LOOPS_PER_NODE; i++) this.#loops.push(this.#loop(url));
    }
  }

  /**
   * Resolves with the completion time of the first acknowledged write sent at or after `after`
   * (performance.now() clock), or null when none comes within `timeoutMs`.
   */
  firstAckSentAfter(after: number, timeoutMs: number): Promise<number | null> {
    const seen = this.#acks.find((a) => a.sentAt >= after);
    if (seen) return Promise.resolve(seen.doneAt);
    return new Promise((resolve) => {
      const waiter = {
        after,
        resolve: (doneAt: number) => {
          clearTimeout(timer);
          resolve(doneAt);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        resolve(null);
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /** Ends the loops (each finishes its request in flight, bounded by WRITE_TIMEOUT_MS). */
  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
    this.#loops = [];
    this.#http.close();
  }

  async #loop(url: string): Promise<void> {
    while (this.#running) {
      const sentAt = performance.now();
      const reply = await this.#http.call('POST', `${url}/write`, this.#body, WRITE_TIMEOUT_MS);
      const doneAt = performance.now();
      if (reply.status === 200) this.#ack(sentAt, doneAt);
      else await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
    }
  }

  #ack(sentAt: number, doneAt: number): void {
    // Only the latest acks matter to a waiter: keep the list short.
    if (this.#acks.length >= 1_000) this.#acks = this.#acks.slice(-100);
    this.#acks.push({ sentAt, doneAt });
    const ready = this.#waiters.filter((w) => sentAt >= w.after);
    this.#waiters = this.#waiters.filter((w) => sentAt < w.after);
    for (const w of ready) w.resolve(doneAt);
  }
}
