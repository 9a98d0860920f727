/**
 * Options of the first-party logger transports (logcluster/pino, logcluster/winston), their
 * defaults and bounds. A bad option throws INVALID_OPTION naming it (a token is never echoed).
 */

import { LogClusterError } from '../../errors.js';
import { BATCH_ENTRIES_MAX } from '../../node/entries/limits.js';

/** Default entries per write: one consensus round carries them; small enough to send often. */
export const SHIP_BATCH_SIZE_DEFAULT = 100;
/** Default wait before a partial batch is sent: logs appear within about a second. */
export const SHIP_FLUSH_INTERVAL_MS_DEFAULT = 1_000;
/** Default bound on buffered entries: ~10 MB of typical entries; past it logging waits (back-pressure). */
export const SHIP_BUFFER_MAX_DEFAULT = 10_000;
/** Most entries a transport may buffer: a bound the user cannot turn into "unbounded". */
export const SHIP_BUFFER_MAX_MAX = 1_000_000;
/** Default time close()/exit gives the last entries to be acknowledged before they are reported lost. */
export const SHIP_CLOSE_TIMEOUT_MS_DEFAULT = 10_000;
/** Longest pause between retries of a batch the cluster did not take. */
export const SHIP_RETRY_DELAY_MS_MAX = 2_000;

/** What a transport is configured with. */
export interface ShipperOptions {
  /** Node base URLs: an array or a comma list. Required. */
  readonly nodes: readonly string[] | string;
  /** Bearer token, when the nodes require one. */
  readonly token?: string;
  /** Entries per write, 1 to BATCH_ENTRIES_MAX (default SHIP_BATCH_SIZE_DEFAULT). */
  readonly batchSize?: number;
  /** Longest wait before a partial batch is sent, in ms (default SHIP_FLUSH_INTERVAL_MS_DEFAULT). */
  readonly flushIntervalMs?: number;
  /** Default `source` of every entry (else the logger's name, else the transport's name). */
  readonly source?: string;
  /** Labels added to every entry. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Buffered entries before logging waits for room (default SHIP_BUFFER_MAX_DEFAULT). */
  readonly bufferMax?: number;
  /** How long close() and process exit wait for the last entries (default SHIP_CLOSE_TIMEOUT_MS_DEFAULT). */
  readonly closeTimeoutMs?: number;
  /** Per-request timeout of the underlying client, in ms. */
  readonly timeoutMs?: number;
}

/** Options after validation. */
export interface ResolvedShipperOptions {
  readonly nodes: readonly string[];
  readonly token: string | undefined;
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  readonly source: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly bufferMax: number;
  readonly closeTimeoutMs: number;
  readonly timeoutMs: number | undefined;
}

function invalid(option: string, why: string, value: unknown): LogClusterError {
  const shown = option === 'token' ? '<redacted>' : (JSON.stringify(value) ?? String(value));
  return new LogClusterError('INVALID_OPTION', `option ${option} ${why} (got ${shown})`, { option });
}

function integer(option: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(option, `must be an integer from ${min} to ${max}`, value);
  }
  return value;
}

/** Validates transport options; `known` lists extra option names the caller handles itself. */
export function resolveShipperOptions(
  options: ShipperOptions,
  known: readonly string[] = [],
): ResolvedShipperOptions {
  if (typeof options !== 'object' || options === null) throw invalid('options', 'must be an object', options);
  const names = ['nodes', 'token', 'batchSize', 'flushIntervalMs', 'source', 'labels', 'bufferMax'];
  names.push('closeTimeoutMs', 'timeoutMs', ...known);
  for (const key of Object.keys(options)) {
    if (!names.includes(key)) throw invalid(key, `is not an option (known: ${names.join(', ')})`, key);
  }
  const nodes = typeof options.nodes === 'string' ? options.nodes.split(',') : options.nodes;
  if (!Array.isArray(nodes) || nodes.length === 0)
    throw invalid('nodes', 'must list node URLs', options.nodes);
  if (options.source !== undefined && (typeof options.source !== 'string' || options.source === '')) {
    throw invalid('source', 'must be a non-empty string', options.source);
  }
  const labels = options.labels ?? {};
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) {
    throw invalid('labels', 'must be an object of strings', labels);
  }
  return {
    nodes: nodes.map((node) => String(node).trim()).filter((node) => node !== ''),
    token: options.token,
    batchSize: integer('batchSize', options.batchSize, SHIP_BATCH_SIZE_DEFAULT, 1, BATCH_ENTRIES_MAX),
    flushIntervalMs: integer(
      'flushIntervalMs',
      options.flushIntervalMs,
      SHIP_FLUSH_INTERVAL_MS_DEFAULT,
      0,
      3_600_000,
    ),
    source: options.source,
    labels,
    bufferMax: integer('bufferMax', options.bufferMax, SHIP_BUFFER_MAX_DEFAULT, 1, SHIP_BUFFER_MAX_MAX),
    closeTimeoutMs: integer(
      'closeTimeoutMs',
      options.closeTimeoutMs,
      SHIP_CLOSE_TIMEOUT_MS_DEFAULT,
      0,
      600_000,
    ),
    timeoutMs: options.timeoutMs,
  };
}
