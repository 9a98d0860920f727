/**
 * Query parameters of the read routes, validated strictly: an unknown or malformed parameter is
 * a 400 INVALID_QUERY naming it (a typo like `levle=error` must not silently return everything).
 */

import { LogClusterError } from '../errors.js';
import { LEVELS, LEVELS_TEXT, type Level, levelCode, parseLevel } from '../node/entries/levels.js';
import { LABEL_VALUE_BYTES_MAX, LABELS_MAX, SOURCE_BYTES_MAX } from '../node/entries/limits.js';
import { parseTimestampMs } from '../node/entries/timestamp.js';
import { fitsUtf8, LABEL_KEY_PATTERN } from '../node/entries/validate.js';
import { LIMIT_DEFAULT, LIMIT_MAX, type LogFilter, type LogQuery } from '../node/log-query.js';
import { CONTAINS_BYTES_MAX } from './limits.js';
import { READ_CONSISTENCIES, type ReadConsistency } from './service.js';

function invalid(param: string, text: string): LogClusterError {
  return new LogClusterError('INVALID_QUERY', `${param}: ${text}`, { field: param });
}

/** One value per parameter name (except `level`, which may repeat and is joined with commas). */
function single(params: URLSearchParams, name: string): string | undefined {
  const values = params.getAll(name);
  if (values.length > 1) throw invalid(name, 'given more than once');
  return values[0];
}

/** `consistency`: linearizable (default), leader or local. */
export function parseConsistency(params: URLSearchParams): ReadConsistency {
  const value = single(params, 'consistency');
  if (value === undefined) return 'linearizable';
  if (!(READ_CONSISTENCIES as readonly string[]).includes(value)) {
    throw invalid(
      'consistency',
      `must be one of ${READ_CONSISTENCIES.join(', ')} (got ${JSON.stringify(value)})`,
    );
  }
  return value as ReadConsistency;
}

/** Refuses any parameter not in `known` (and not `label.<key>` when labels are allowed). */
export function checkKnown(params: URLSearchParams, known: ReadonlySet<string>, labels: boolean): void {
  for (const name of params.keys()) {
    if (known.has(name) || (labels && name.startsWith('label.'))) continue;
    throw invalid(name, `unknown parameter; known: ${[...known].join(', ')}${labels ? ', label.<key>' : ''}`);
  }
}

const RELATIVE_PATTERN = /^(\d{1,9})(ms|s|m|h|d|w)$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5 };

/** A time bound: ISO-8601, epoch ms, or a duration before `nowMs` like `15m`, `2h`, `7d`. */
export function parseTimeParam(name: string, value: string, nowMs: number): number {
  const relative = RELATIVE_PATTERN.exec(value);
  if (relative !== null) return nowMs - Number(relative[1]) * UNIT_MS[relative[2]];
  const ms = parseTimestampMs(value);
  if (ms === undefined) {
    throw invalid(
      name,
      `must be ISO-8601, epoch milliseconds or a duration like 15m, 2h, 7d (got ${JSON.stringify(value)})`,
    );
  }
  return ms;
}

/** A non-negative integer index (cursors, Last-Event-ID). */
export function parseIndexParam(name: string, value: string): number {
  const index = /^\d{1,16}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(index))
    throw invalid(name, `must be a non-negative integer index (got ${JSON.stringify(value)})`);
  return index;
}

function parseLevels(params: URLSearchParams): Level[] | undefined {
  let levels: Level[] | undefined;
  const names = params.getAll('level').flatMap((value) => value.split(','));
  if (names.length > 0) {
    levels = names.map((name) => {
      const level = parseLevel(name.trim());
      if (level === undefined)
        throw invalid('level', `must be one of ${LEVELS_TEXT} (got ${JSON.stringify(name)})`);
      return level;
    });
  }
  const min = single(params, 'min_level');
  if (min !== undefined) {
    const level = parseLevel(min);
    if (level === undefined)
      throw invalid('min_level', `must be one of ${LEVELS_TEXT} (got ${JSON.stringify(min)})`);
    const atLeast = LEVELS.filter((candidate) => levelCode(candidate) >= levelCode(level));
    levels = levels === undefined ? atLeast : levels.filter((candidate) => atLeast.includes(candidate));
  }
  return levels === undefined ? undefined : [...new Set(levels)];
}

function parseLabels(params: URLSearchParams): Record<string, string> | undefined {
  let labels: Record<string, string> | undefined;
  let count = 0;
  for (const [name, value] of params) {
    if (!name.startsWith('label.')) continue;
    const key = name.slice('label.'.length);
    if (!LABEL_KEY_PATTERN.test(key) || key === '__proto__') throw invalid(name, 'is not a valid label key');
    if (labels !== undefined && key in labels) throw invalid(name, 'given more than once');
    if (!fitsUtf8(value, LABEL_VALUE_BYTES_MAX))
      throw invalid(name, `is longer than ${LABEL_VALUE_BYTES_MAX} bytes`);
    if (++count > LABELS_MAX) throw invalid(name, `at most ${LABELS_MAX} label filters`);
    labels ??= {};
    labels[key] = value;
  }
  return labels;
}

/** The filter parameters shared by /logs and /logs/stream. */
export function parseFilter(params: URLSearchParams, nowMs: number): LogFilter {
  const filter: { -readonly [K in keyof LogFilter]: LogFilter[K] } = {};
  const levels = parseLevels(params);
  if (levels !== undefined) filter.levels = levels;
  const source = single(params, 'source');
  if (source !== undefined) {
    if (source === '' || !fitsUtf8(source, SOURCE_BYTES_MAX))
      throw invalid('source', `must be 1-${SOURCE_BYTES_MAX} bytes`);
    filter.source = source;
  }
  const since = single(params, 'since');
  if (since !== undefined) filter.sinceMs = parseTimeParam('since', since, nowMs);
  const until = single(params, 'until');
  if (until !== undefined) filter.untilMs = parseTimeParam('until', until, nowMs);
  const contains = single(params, 'contains');
  if (contains !== undefined) {
    if (contains === '' || !fitsUtf8(contains, CONTAINS_BYTES_MAX)) {
      throw invalid('contains', `must be 1-${CONTAINS_BYTES_MAX} bytes`);
    }
    filter.contains = contains;
  }
  const labels = parseLabels(params);
  if (labels !== undefined) filter.labels = labels;
  return filter;
}

const FILTER_PARAMS = ['level', 'min_level', 'source', 'since', 'until', 'contains', 'consistency'];

/** Parameters GET /logs accepts (plus label.<key>). */
export const LOGS_PARAMS: ReadonlySet<string> = new Set([...FILTER_PARAMS, 'after', 'limit', 'order']);

/** Parameters GET /logs/stream accepts (plus label.<key>). */
export const STREAM_PARAMS: ReadonlySet<string> = new Set([
  ...FILTER_PARAMS,
  'after',
  'last_event_id',
  'access_token',
]);

/** Parameters GET /read/{file_path} accepts. */
export const READ_PARAMS: ReadonlySet<string> = new Set(['consistency']);

/** GET /logs: the page query and its consistency. */
export function parseLogsQuery(
  params: URLSearchParams,
  nowMs: number,
): { query: LogQuery; consistency: ReadConsistency } {
  checkKnown(params, LOGS_PARAMS, true);
  const filter = parseFilter(params, nowMs);
  const limitText = single(params, 'limit');
  let limit = LIMIT_DEFAULT;
  if (limitText !== undefined) {
    limit = /^\d{1,7}$/.test(limitText) ? Number(limitText) : 0;
    if (limit < 1 || limit > LIMIT_MAX)
      throw invalid('limit', `must be an integer from 1 to ${LIMIT_MAX} (got ${JSON.stringify(limitText)})`);
  }
  const order = single(params, 'order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc')
    throw invalid('order', `must be asc or desc (got ${JSON.stringify(order)})`);
  const afterText = single(params, 'after');
  const query: LogQuery = {
    ...filter,
    limit,
    order,
    ...(afterText === undefined ? {} : { after: parseIndexParam('after', afterText) }),
  };
  return { query, consistency: parseConsistency(params) };
}
