/**
 * LogShipper: the engine of the logger transports. Entries wait in a bounded buffer and go out
 * through LogClusterClient in batches (batchSize, or whatever is there after flushIntervalMs),
 * one batch in flight at a time so order is kept. Every entry has its id before it is first sent
 * and keeps it across retries, so a batch whose outcome was unknown (leader lost mid-write) is
 * re-sent and answered `duplicate` rather than stored twice. A batch the cluster cannot take now
 * (503, 429, no answer) is retried with capped backoff until it is taken; one it refuses (400,
 * 413) is split to find and drop only the refused entries, each reported to onError. When the
 * buffer is full, push() returns a promise that resolves when there is room: back-pressure, never
 * unbounded memory. Entries stay in the buffer until acknowledged, so flush-on-exit can re-send
 * the in-flight batch too.
 */

import { randomUUID } from 'node:crypto';
import { LogClusterClient } from '../../client/client.js';
import type { LogEntryInput } from '../../client/types.js';
import { isLogClusterError, LogClusterError } from '../../errors.js';
import { backoffDelayMs } from '../../transport/backoff.js';
import { type ResolvedShipperOptions, SHIP_RETRY_DELAY_MS_MAX } from './options.js';

/** Client retries inside one send; the shipper's own loop retries beyond them, without limit. */
const CLIENT_RETRIES = 2;
/** First backoff delay of the shipper's own retries. */
const RETRY_BASE_MS = 100;

/** What a shipper reports: an entry refused for good, or the last entries lost at close. */
export type ShipperErrorHandler = (error: Error, entries: readonly LogEntryInput[]) => void;

/** Buffers, batches and delivers entries (see the file comment). */
export class LogShipper {
  readonly #options: ResolvedShipperOptions;
  readonly #client: LogClusterClient;
  readonly #onError: ShipperErrorHandler;
  /** Entries not yet acknowledged, oldest first; the first `#inFlight` are being sent. */
  #buffer: LogEntryInput[] = [];
  #inFlight = 0;
  #timer: NodeJS.Timeout | null = null;
  #sending: Promise<void> | null = null;
  #roomWaiters: Array<() => void> = [];
  #flushWaiters = 0;
  #closed = false;
  #giveUpAt = Number.POSITIVE_INFINITY;

  /** Counters: acknowledged entries, entries dropped (refused or lost at close). */
  readonly stats = { sent: 0, dropped: 0, retries: 0 };

  constructor(options: ResolvedShipperOptions, onError: ShipperErrorHandler) {
    this.#options = options;
    this.#onError = onError;
    const clientOptions: ConstructorParameters<typeof LogClusterClient>[0] = {
      nodes: options.nodes,
      retries: CLIENT_RETRIES,
      ...(options.token === undefined ? {} : { token: options.token }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    };
    this.#client = new LogClusterClient(clientOptions);
  }

  /** Entries buffered (including the batch in flight). */
  get pending(): number {
    return this.#buffer.length;
  }

  /** Copies of every unacknowledged entry, ids included (for the exit-time synchronous flush). */
  unacknowledged(): LogEntryInput[] {
    return [...this.#buffer];
  }

  /** A fresh idempotency id. */
  static newId(): string {
    return randomUUID();
  }

  /**
   * Buffers one entry (it must carry its id). Returns undefined when it was taken at once, or a
   * promise that resolves once it was taken, when the buffer was full: callers wait on it.
   */
  push(entry: LogEntryInput): Promise<void> | undefined {
    if (this.#closed) throw new LogClusterError('SHUTTING_DOWN', 'The log transport is closed');
    if (this.#buffer.length < this.#options.bufferMax) {
      this.#take(entry);
      return undefined;
    }
    return new Promise<void>((resolve) => {
      this.#roomWaiters.push(() => {
        this.#take(entry);
        resolve();
      });
    });
  }

  /** Resolves when everything buffered before the call is acknowledged (or dropped). */
  async flush(): Promise<void> {
    this.#flushWaiters++;
    try {
      while (this.#buffer.length > 0 || this.#roomWaiters.length > 0) {
        this.#kick();
        await this.#sending;
      }
    } finally {
      this.#flushWaiters--;
    }
  }

  /** Flushes, giving up on what is not acknowledged within `timeoutMs` (reported to onError). */
  async drain(timeoutMs: number): Promise<void> {
    this.#giveUpAt = Date.now() + timeoutMs;
    try {
      await this.flush();
    } finally {
      this.#giveUpAt = Number.POSITIVE_INFINITY;
    }
  }

  /** Flushes for at most closeTimeoutMs, reports what could not be delivered, releases sockets. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#giveUpAt = Date.now() + this.#options.closeTimeoutMs;
    await this.flush();
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#client.close();
  }

  /** Forgets the buffer without sending (after a synchronous exit flush delivered it). */
  discard(): void {
    this.#buffer = [];
    this.#inFlight = 0;
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#client.close();
  }

  #take(entry: LogEntryInput): void {
    this.#buffer.push(entry);
    this.#schedule();
  }

  /** Sends now when a full batch waits, else arms the interval timer (which never holds the process open). */
  #schedule(): void {
    if (this.#sending !== null || this.#closed) return;
    const waiting = this.#buffer.length - this.#inFlight;
    if (waiting >= this.#options.batchSize) this.#kick();
    else if (waiting > 0 && this.#timer === null) {
      this.#timer = setTimeout(() => {
        this.#timer = null;
        this.#kick();
      }, this.#options.flushIntervalMs);
      this.#timer.unref();
    }
  }

  /** Starts the send loop unless it runs. */
  #kick(): void {
    if (this.#sending !== null || this.#buffer.length === 0) return;
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    this.#sending = this.#loop().finally(() => {
      this.#sending = null;
      this.#schedule();
    });
  }

  async #loop(): Promise<void> {
    while (this.#buffer.length > 0) {
      const batch = this.#buffer.slice(0, this.#options.batchSize);
      this.#inFlight = batch.length;
      await this.#deliver(batch);
      this.#buffer.splice(0, batch.length);
      this.#inFlight = 0;
      this.#releaseRoom();
      // A partial batch waits for the interval unless someone is flushing.
      if (this.#buffer.length < this.#options.batchSize && this.#flushWaiters === 0) break;
    }
  }

  #releaseRoom(): void {
    while (this.#roomWaiters.length > 0 && this.#buffer.length < this.#options.bufferMax) {
      this.#roomWaiters.shift()!();
    }
  }

  /** Sends one batch until it is acknowledged, refused (split and reported) or given up at close. */
  async #deliver(batch: readonly LogEntryInput[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#client.write(batch as LogEntryInput[]);
        this.stats.sent += batch.length;
        return;
      } catch (error) {
        if (!isLogClusterError(error)) {
          this.#drop(batch, error as Error);
          return;
        }
        if (!isRetryable(error)) {
          await this.#refused(batch, error);
          return;
        }
        if (Date.now() >= this.#giveUpAt) {
          this.#drop(batch, error as Error);
          return;
        }
        this.stats.retries++;
        const delayMs = backoffDelayMs(attempt, RETRY_BASE_MS, SHIP_RETRY_DELAY_MS_MAX);
        await sleep(Math.min(delayMs, Math.max(0, this.#giveUpAt - Date.now())), this.#flushWaiters > 0);
      }
    }
  }

  async #refused(batch: readonly LogEntryInput[], error: LogClusterError): Promise<void> {
    if (batch.length === 1 || error.code === 'UNAUTHORIZED' || error.status === 401) {
      this.#drop(batch, error);
      return;
    }
    // One bad entry refuses the whole batch: send them one by one to keep the good ones.
    for (const entry of batch) await this.#deliver([entry]);
  }

  #drop(entries: readonly LogEntryInput[], error: Error): void {
    this.stats.dropped += entries.length;
    this.#onError(error, entries);
  }
}

/** Worth retrying: the cluster could not take it now (no leader, overloaded, no answer, disk full). */
function isRetryable(error: LogClusterError): boolean {
  return error.status >= 500 || error.status === 429 || error.status === 408;
}

/** A pause; it keeps the process alive only while someone waits for a flush. */
function sleep(ms: number, keepAlive: boolean): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (!keepAlive) timer.unref();
  });
}
