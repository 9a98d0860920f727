/**
 * LogClusterClient options: shape, defaults, bounds and validation. A bad option throws
 * LogClusterError('INVALID_OPTION') naming the option and the value (a token is never echoed).
 */
import { LogClusterError } from '../errors.js';

/** Default per-attempt timeout: a write waits for a majority fsync; 10 s covers a slow disk and an election. */
export const CLIENT_TIMEOUT_MS_DEFAULT = 10_000;
/** Longest per-attempt timeout accepted: beyond it a caller should give up and retry with the same id. */
export const CLIENT_TIMEOUT_MS_MAX = 10 * 60_000;
/** Default retries after the first attempt: rides out an election (about a second) with backoff. */
export const CLIENT_RETRIES_DEFAULT = 6;
/** Most retries accepted: past this a caller is retrying forever, which belongs in its own loop. */
export const CLIENT_RETRIES_MAX = 20;
/** Default first backoff delay: a new leader is usually elected within a few hundred ms. */
export const CLIENT_RETRY_BASE_MS_DEFAULT = 50;
/** Largest base delay accepted. */
export const CLIENT_RETRY_BASE_MS_MAX = 60_000;
/** Cap on one backoff delay, so the last retries still land within a few seconds. */
export const CLIENT_RETRY_DELAY_MS_MAX = 2_000;

/** What a LogClusterClient is told at construction. */
export interface LogClusterClientOptions {
  /** Node base URLs: an array or a comma list ("http://127.0.0.1:5001,http://127.0.0.1:5002"). */
  readonly nodes: readonly string[] | string;
  /** Bearer token sent on every request (nodes started with a token require it). */
  readonly token?: string;
  /** PEM certificate(s) to trust for https:// nodes (a cluster with its own CA). */
  readonly ca?: string;
  /** Per-attempt timeout in ms (default CLIENT_TIMEOUT_MS_DEFAULT). */
  readonly timeoutMs?: number;
  /** Retries after the first attempt (default CLIENT_RETRIES_DEFAULT). */
  readonly retries?: number;
  /** First backoff delay in ms, doubled per retry up to CLIENT_RETRY_DELAY_MS_MAX (default 50). */
  readonly retryBaseMs?: number;
}

/** Options after validation. */
export interface ResolvedClientOptions {
  readonly nodes: readonly string[];
  readonly token: string | null;
  readonly ca: string | undefined;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly retryBaseMs: number;
}

const KNOWN = new Set(['nodes', 'token', 'ca', 'timeoutMs', 'retries', 'retryBaseMs']);

function invalid(option: string, shown: string, why: string): LogClusterError {
  return new LogClusterError('INVALID_OPTION', `option ${option} ${why} (got ${shown})`, { option });
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** Parses one node URL; returns its origin form without a trailing slash. */
function checkNode(value: unknown): string {
  let url: URL | null = null;
  try {
    url = typeof value === 'string' ? new URL(value.trim()) : null;
  } catch {
    url = null;
  }
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
    throw invalid('nodes', show(value), 'must list http(s) base URLs like http://127.0.0.1:5001');
  }
  return url.href.replace(/\/+$/, '');
}

function checkInteger(option: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(option, show(value), `must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** Validates `options` and fills defaults. */
export function resolveClientOptions(options: LogClusterClientOptions): ResolvedClientOptions {
  if (typeof options !== 'object' || options === null)
    throw invalid('options', show(options), 'must be an object');
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw invalid(key, show(key), `is not an option (known: ${[...KNOWN].join(', ')})`);
  }
  const raw = options.nodes;
  const list = typeof raw === 'string' ? raw.split(',').filter((part) => part.trim() !== '') : raw;
  if (!Array.isArray(list) || list.length === 0) {
    throw invalid('nodes', show(raw), 'must be a non-empty array or comma list of node URLs');
  }
  const nodes = [...new Set(list.map(checkNode))];
  const { token } = options;
  if (token !== undefined && (typeof token !== 'string' || token === '' || /[\r\n\0]/.test(token))) {
    const shown = typeof token === 'string' ? `a string of ${token.length} characters` : typeof token;
    throw invalid('token', shown, 'must be a non-empty string without line breaks');
  }
  if (options.ca !== undefined && (typeof options.ca !== 'string' || !options.ca.includes('BEGIN'))) {
    throw invalid('ca', typeof options.ca, 'must be PEM text (-----BEGIN CERTIFICATE-----...)');
  }
  return {
    nodes,
    token: token ?? null,
    ca: options.ca,
    timeoutMs: checkInteger(
      'timeoutMs',
      options.timeoutMs,
      CLIENT_TIMEOUT_MS_DEFAULT,
      1,
      CLIENT_TIMEOUT_MS_MAX,
    ),
    retries: checkInteger('retries', options.retries, CLIENT_RETRIES_DEFAULT, 0, CLIENT_RETRIES_MAX),
    retryBaseMs: checkInteger(
      'retryBaseMs',
      options.retryBaseMs,
      CLIENT_RETRY_BASE_MS_DEFAULT,
      0,
      CLIENT_RETRY_BASE_MS_MAX,
    ),
  };
}
