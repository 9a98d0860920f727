/**
 * Builds the query string of `/logs` and `/logs/stream` from a typed LogQuery. Values are checked
 * only for type here; the node validates meaning and answers INVALID_QUERY naming the parameter.
 */
import { LogClusterError } from '../errors.js';
import type { LogQuery } from './types.js';

const KEYS = new Set([
  'level',
  'min_level',
  'source',
  'since',
  'until',
  'contains',
  'labels',
  'after',
  'limit',
  'order',
  'consistency',
]);

function badQuery(parameter: string, value: unknown, why: string): LogClusterError {
  return new LogClusterError('INVALID_QUERY', `query ${parameter} ${why} (got ${JSON.stringify(value)})`, {
    parameter,
  });
}

function time(parameter: string, value: string | number | Date): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw badQuery(parameter, String(value), 'must be a valid date');
    return value.toISOString();
  }
  return String(value);
}

/** `?level=...&...` for `query` (empty string when there is nothing to send). */
export function toQueryString(query: LogQuery = {}): string {
  if (typeof query !== 'object' || query === null) throw badQuery('filter', query, 'must be an object');
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (!KEYS.has(key)) throw badQuery(key, value, `is not a filter (known: ${[...KEYS].join(', ')})`);
    if (key === 'labels') {
      if (typeof value !== 'object' || value === null) throw badQuery('labels', value, 'must be an object');
      for (const [label, text] of Object.entries(value as Record<string, unknown>)) {
        params.append(`label.${label}`, String(text));
      }
    } else if (key === 'level') {
      params.set('level', Array.isArray(value) ? value.join(',') : String(value));
    } else if (key === 'since' || key === 'until') {
      params.set(key, time(key, value as string | number | Date));
    } else {
      params.set(key, String(value));
    }
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}
