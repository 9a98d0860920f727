/**
 * Live subscriptions to newly applied entries (what /logs/stream follows). The node calls
 * `publish(index)` after applying each non-duplicate entry; each subscriber gets, in index order,
 * every matching entry after its start point exactly once — the catch-up of already applied
 * entries and the live ones are stitched synchronously, so none falls in between.
 */

import { isLogClusterError, LogClusterError } from '../errors.js';
import { decodeRecord } from './entries/payload.js';
import type { LogRecord } from './entries/record.js';
import { LIMIT_MAX, type LogFilter, matchesFilter } from './log-query.js';
import type { StateMachine, StoredEntry } from './state-machine.js';

/** Catch-up delivered inside subscribe(): callers page through /logs first, so this is only a gap. */
export const FEED_CATCH_UP_ENTRIES_MAX = 10_000;

/** Where a subscriber's entries go. Both methods are called synchronously from the apply loop. */
export interface StreamSink {
  /** A matching committed entry; indexes strictly increase. */
  entry(record: LogRecord): void;
  /** The stream ends from the node's side (shutdown, catch-up too long); nothing follows. */
  end(error?: LogClusterError): void;
}

/** A live subscription; close() is idempotent and stops deliveries at once. */
export interface Subscription {
  close(): void;
}

interface Subscriber {
  readonly filter: LogFilter;
  readonly sink: StreamSink;
  lastIndex: number;
  open: boolean;
}

/** The set of live subscribers over one StateMachine. */
export class LiveFeed {
  #machine: StateMachine;
  #subscribers = new Set<Subscriber>();

  constructor(machine: StateMachine) {
    this.#machine = machine;
  }

  /** Open subscriptions. */
  get size(): number {
    return this.#subscribers.size;
  }

  /**
   * Delivers matching applied entries after `afterIndex` (null: only entries applied from now on),
   * then every matching entry as it is published.
   */
  subscribe(filter: LogFilter, afterIndex: number | null, sink: StreamSink): Subscription {
    const subscriber: Subscriber = {
      filter,
      sink,
      lastIndex: afterIndex ?? this.#machine.appliedIndex,
      open: true,
    };
    const close = (): void => {
      subscriber.open = false;
      this.#subscribers.delete(subscriber);
    };
    this.#catchUp(subscriber);
    if (subscriber.open) this.#subscribers.add(subscriber);
    return { close };
  }

  #catchUp(subscriber: Subscriber): void {
    let delivered = 0;
    for (;;) {
      const page = this.#machine.query({
        ...subscriber.filter,
        after: subscriber.lastIndex,
        limit: LIMIT_MAX,
        order: 'asc',
      });
      for (const record of page.entries) if (!this.#deliver(subscriber, record)) return;
      if (page.next_after === null) return;
      subscriber.lastIndex = page.next_after;
      delivered += page.entries.length;
      if (delivered >= FEED_CATCH_UP_ENTRIES_MAX) {
        subscriber.open = false;
        subscriber.sink.end(
          new LogClusterError('OVERLOADED', 'The stream is too far behind; page through /logs and resume', {
            last_index: subscriber.lastIndex,
          }),
        );
        return;
      }
    }
  }

  /**
   * Tells subscribers about the newly applied entry at `index` (a no-op when none listens). Call it
   * for entries apply() did not call duplicates; pass the entry just applied as `stored` to spare
   * a log read.
   */
  publish(index: number, stored?: StoredEntry): void {
    if (this.#subscribers.size === 0) return;
    let record: LogRecord;
    try {
      record =
        stored === undefined
          ? this.#machine.read({ kind: 'index', index })
          : decodeRecord(stored.index, stored.term, stored.payload);
    } catch (error) {
      if (isLogClusterError(error) && error.code === 'NOT_FOUND') return;
      throw error;
    }
    for (const subscriber of this.#subscribers) {
      if (record.index > subscriber.lastIndex && matchesFilter(record, subscriber.filter)) {
        this.#deliver(subscriber, record);
      }
    }
  }

  #deliver(subscriber: Subscriber, record: LogRecord): boolean {
    subscriber.lastIndex = record.index;
    try {
      subscriber.sink.entry(record);
    } catch (error) {
      // A sink that throws is dropped: the apply loop must not fail for one consumer.
      this.#subscribers.delete(subscriber);
      subscriber.open = false;
      subscriber.sink.end(
        isLogClusterError(error) ? error : new LogClusterError('INTERNAL', 'The stream consumer failed'),
      );
    }
    return subscriber.open;
  }

  /** Ends every subscription (node shutdown); each sink's end() gets `error`. */
  closeAll(error?: LogClusterError): void {
    for (const subscriber of this.#subscribers) {
      subscriber.open = false;
      subscriber.sink.end(error);
    }
    this.#subscribers.clear();
  }
}
