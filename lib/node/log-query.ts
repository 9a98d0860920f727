/**
 * /logs queries over the LogIndex: candidates come from the smallest posting list (or union of
 * level lists) the filter allows, the other conditions are checked on columns (level, time) and
 * by membership in the other lists, and only matching candidates' bodies are read. Work per page
 * is bounded: a page that hits a budget returns what it found with a `next_after` to continue.
 */

import { LEVELS, type Level, levelCode } from './entries/levels.js';
import type { LogRecord } from './entries/record.js';
import { PostingCursor, RangeCursor, type SeqCursor, UnionCursor } from './indexing/seq-cursor.js';
import { type LogIndex, labelTerm, sourceTerm, ZONE_ENTRIES } from './log-index.js';

/** Which entries match (every given condition must hold). */
export interface LogFilter {
  /** Any of these levels; undefined: any level; empty: nothing matches. */
  readonly levels?: readonly Level[];
  readonly source?: string;
  /** Entry timestamp >= sinceMs. */
  readonly sinceMs?: number;
  /** Entry timestamp < untilMs. */
  readonly untilMs?: number;
  /** Case-sensitive substring of the message. */
  readonly contains?: string;
  /** Every pair must be among the entry's labels. */
  readonly labels?: Readonly<Record<string, string>>;
}

/** The order of a page: by Raft index. */
export type QueryOrder = 'asc' | 'desc';

/** A page request. `after` is an exclusive cursor: asc returns indexes > after, desc < after. */
export interface LogQuery extends LogFilter {
  readonly after?: number;
  readonly limit: number;
  readonly order: QueryOrder;
}

/** A page: `next_after` is the cursor for the next page, null when nothing is left. */
export interface QueryPage {
  readonly entries: LogRecord[];
  readonly next_after: number | null;
}

/** Page size when the client names none. */
export const LIMIT_DEFAULT = 100;

/** Largest page: 1,000 records is ~0.5 MB of JSON, one reply the event loop can afford. */
export const LIMIT_MAX = 1_000;

/** Candidates examined per page (~10 ns each from columns): bounds a page to ~10 ms of CPU. */
export const QUERY_SCAN_MAX = 1_000_000;

/** Entry bodies read per page (each a log read, maybe from disk): bounds `contains` scans. */
export const QUERY_READS_MAX = 10_000;

/** Per-page work bounds (tests shrink them to exercise paging by budget). */
export interface QueryBudget {
  readonly scanMax: number;
  readonly readsMax: number;
}

/** True when `record` matches `filter` (live streams filter each newly applied entry with it). */
export function matchesFilter(record: LogRecord, filter: LogFilter): boolean {
  const data = record.original_data;
  if (filter.levels !== undefined && !filter.levels.includes(data.level)) return false;
  if (filter.sinceMs !== undefined || filter.untilMs !== undefined) {
    const ms = Date.parse(record.timestamp);
    if (ms < (filter.sinceMs ?? -Infinity) || ms >= (filter.untilMs ?? Infinity)) return false;
  }
  if (filter.contains !== undefined && !data.message.includes(filter.contains)) return false;
  return matchesTerms(record, filter);
}

function matchesTerms(record: LogRecord, filter: LogFilter): boolean {
  const data = record.original_data;
  if (filter.source !== undefined && data.source !== filter.source) return false;
  if (filter.labels !== undefined) {
    for (const key in filter.labels) if (data.labels?.[key] !== filter.labels[key]) return false;
  }
  return true;
}

interface Plan {
  readonly driver: SeqCursor;
  /** Bit per allowed level code; 0 when every level is allowed. */
  readonly levelMask: number;
  readonly probes: PostingCursor[];
  /** Some source/label condition has no posting list (TERMS_MAX reached): check bodies. */
  readonly checkTerms: boolean;
  readonly sinceMs: number;
  readonly untilMs: number;
}

const ALL_LEVELS_MASK = (1 << LEVELS.length) - 1;

function planQuery(ix: LogIndex, query: LogQuery): Plan | undefined {
  const asc = query.order === 'asc';
  let lo = ix.start;
  let hi = ix.end;
  if (query.after !== undefined) {
    if (asc) lo = Math.max(lo, ix.seqAtOrAfter(query.after + 1));
    else hi = Math.min(hi, ix.seqAtOrAfter(query.after));
  }
  const sinceMs = query.sinceMs ?? -Infinity;
  const untilMs = query.untilMs ?? Infinity;
  if (lo >= hi || sinceMs >= untilMs) return undefined;
  let levelMask = 0;
  if (query.levels !== undefined) {
    for (const level of query.levels) levelMask |= 1 << levelCode(level);
    if (levelMask === 0) return undefined;
    if (levelMask === ALL_LEVELS_MASK) levelMask = 0;
  }
  const terms: string[] = [];
  if (query.source !== undefined) terms.push(sourceTerm(query.source));
  if (query.labels !== undefined)
    for (const key in query.labels) terms.push(labelTerm(key, query.labels[key]));
  const probes: PostingCursor[] = [];
  let checkTerms = false;
  for (const term of terms) {
    const list = ix.termList(term);
    if (list !== undefined) probes.push(new PostingCursor(list, lo, hi, asc));
    else if (ix.termsComplete) return undefined;
    else checkTerms = true;
  }
  let driver: SeqCursor = new RangeCursor(lo, hi, asc);
  if (levelMask !== 0) {
    const lists: SeqCursor[] = [];
    for (let code = 0; code < LEVELS.length; code++) {
      if ((levelMask & (1 << code)) !== 0) lists.push(new PostingCursor(ix.levelList(code), lo, hi, asc));
    }
    const union = lists.length === 1 ? lists[0] : new UnionCursor(lists, asc);
    if (union.size < driver.size) driver = union;
  }
  let best = -1;
  for (let i = 0; i < probes.length; i++)
    if (probes[i].size < (best < 0 ? driver.size : probes[best].size)) best = i;
  if (best >= 0) driver = probes.splice(best, 1)[0];
  return { driver, levelMask, probes, checkTerms, sinceMs, untilMs };
}

/**
 * Runs one page of `query`. `read` returns the verified record at a Raft index (undefined when the
 * log no longer has it); STORAGE_CORRUPT from it propagates: corrupt data is never served.
 */
export function runQuery(
  ix: LogIndex,
  query: LogQuery,
  read: (index: number) => LogRecord | undefined,
  budget: Partial<QueryBudget> = {},
): QueryPage {
  const scanMax = budget.scanMax ?? QUERY_SCAN_MAX;
  const readsMax = budget.readsMax ?? QUERY_READS_MAX;
  const entries: LogRecord[] = [];
  const plan = planQuery(ix, query);
  if (plan === undefined || query.limit <= 0) return { entries, next_after: null };
  const { driver, levelMask, probes, sinceMs, untilMs } = plan;
  const asc = query.order === 'asc';
  const timed = sinceMs !== -Infinity || untilMs !== Infinity;
  let examined = 0;
  let reads = 0;
  let lastSeq = -1;
  for (let seq = driver.next(); seq >= 0; lastSeq = seq, seq = driver.next()) {
    // Out of budget: stop before `seq`, so the next page resumes right after the last one examined.
    if (examined >= scanMax || reads >= readsMax) return { entries, next_after: ix.indexAt(lastSeq) };
    examined++;
    if (timed) {
      const block = Math.floor(seq / ZONE_ENTRIES);
      if (ix.zoneMaxMs(block) < sinceMs || ix.zoneMinMs(block) >= untilMs) {
        driver.seek(asc ? (block + 1) * ZONE_ENTRIES : block * ZONE_ENTRIES - 1);
        continue;
      }
      const ms = ix.timestampAt(seq);
      if (ms < sinceMs || ms >= untilMs) continue;
    }
    if (levelMask !== 0 && (levelMask & (1 << ix.levelAt(seq))) === 0) continue;
    if (!probesHave(probes, seq)) continue;
    reads++;
    const record = read(ix.indexAt(seq));
    if (record === undefined) continue;
    if (query.contains !== undefined && !record.original_data.message.includes(query.contains)) continue;
    if (plan.checkTerms && !matchesTerms(record, query)) continue;
    entries.push(record);
    if (entries.length >= query.limit) return { entries, next_after: record.index };
  }
  return { entries, next_after: null };
}

function probesHave(probes: PostingCursor[], seq: number): boolean {
  for (let i = 0; i < probes.length; i++) if (!probes[i].has(seq)) return false;
  return true;
}
