/**
 * `logcluster/winston`: a winston transport (on winston-transport) that ships every log call to
 * a logcluster cluster through LogClusterClient, batched, retried with stable ids, bounded.
 *
 * ```js
 * import LogClusterTransport from 'logcluster/winston';
 * const logger = winston.createLogger({ transports: [
 *   new LogClusterTransport({ nodes: ['http://127.0.0.1:5001'], source: 'billing' })] });
 * ```
 *
 * log() calls back once the entry is buffered; when the buffer is full it calls back only when
 * there is room, so winston's stream back-pressure holds further writes. The buffer is flushed
 * by flush(), by logger.end() / close(), when the event loop empties, and on process.exit().
 */

import TransportStream from 'winston-transport';
import type { LogEntryInput } from '../../client/types.js';
import { installExitFlush } from '../shipping/exit-flush.js';
import {
  type ResolvedShipperOptions,
  resolveShipperOptions,
  type ShipperOptions,
} from '../shipping/options.js';
import { LogShipper, type ShipperErrorHandler } from '../shipping/shipper.js';
import { fromWinston } from './map.js';

export { fromWinston, WINSTON_SOURCE_DEFAULT } from './map.js';

/** The transport's options: where and how to ship, plus winston's own transport options. */
export interface LogClusterTransportOptions extends ShipperOptions {
  /** Most verbose level this transport takes (winston's option). */
  readonly level?: string;
  readonly format?: TransportStream.TransportStreamOptions['format'];
  readonly silent?: boolean;
  readonly handleExceptions?: boolean;
  readonly handleRejections?: boolean;
  /** Told about entries that could not be stored (default: a line on stderr). */
  readonly onError?: ShipperErrorHandler;
}

const WINSTON_OPTIONS = ['level', 'format', 'silent', 'handleExceptions', 'handleRejections', 'onError'];

function report(error: Error, entries: readonly LogEntryInput[]): void {
  console.error(`logcluster/winston: ${entries.length} log entries not stored: ${error.message}`);
}

/** The transport. Throws INVALID_OPTION for a bad option. */
export class LogClusterTransport extends TransportStream {
  readonly #options: ResolvedShipperOptions;
  readonly #shipper: LogShipper;
  readonly #removeHooks: () => void;

  constructor(options: LogClusterTransportOptions) {
    const { level, format, silent, handleExceptions, handleRejections } = options;
    super({ level, format, silent, handleExceptions, handleRejections });
    this.#options = resolveShipperOptions(options, WINSTON_OPTIONS);
    const onError = options.onError ?? report;
    this.#shipper = new LogShipper(this.#options, onError);
    this.#removeHooks = installExitFlush(this.#shipper, this.#options, (count) =>
      onError(new Error('the cluster did not acknowledge them before the process exited'), new Array(count)),
    );
  }

  /** Entries buffered and not yet acknowledged. */
  get pending(): number {
    return this.#shipper.pending;
  }

  /** Delivery counters: sent, dropped, retries. */
  get stats(): Readonly<{ sent: number; dropped: number; retries: number }> {
    return this.#shipper.stats;
  }

  /** winston's entry point: buffers the entry, calling back when it was taken (back-pressure). */
  override log(info: Record<string | symbol, unknown>, next: () => void): void {
    setImmediate(() => this.emit('logged', info));
    const wait = this.#shipper.push(fromWinston(info, this.#options));
    if (wait === undefined) next();
    else void wait.then(next);
  }

  /** Resolves once everything logged so far is acknowledged by the cluster. */
  flush(): Promise<void> {
    return this.#shipper.flush();
  }

  /** Flushes (at most closeTimeoutMs), then releases sockets and exit hooks. */
  async closeAsync(): Promise<void> {
    await this.#shipper.close();
    this.#removeHooks();
  }

  /** winston calls this when the transport is removed or the logger closes. */
  override close(): void {
    void this.closeAsync().then(() => this.emit('closed'));
  }

  /** logger.end(): 'finish' comes after the buffer is flushed. */
  override _final(callback: (error?: Error | null) => void): void {
    this.#shipper.flush().then(() => callback(), callback);
  }
}

export default LogClusterTransport;
