/**
 * Building entries from a logger's record so they always pass the node's validation: scalar
 * fields become labels (fitted by LabelSet), everything else goes under `fields` as bounded JSON
 * (depth, items, cycles), the message is cut to MESSAGE_BYTES_MAX and the whole entry to
 * ENTRY_BYTES_MAX. A transport must never lose a log line to a 400 it could have avoided.
 */

import type { LogEntryInput } from '../../client/types.js';
import {
  ENTRY_BYTES_MAX,
  MESSAGE_BYTES_MAX,
  ORIGINAL_DATA_DEPTH_MAX,
  SOURCE_BYTES_MAX,
} from '../../node/entries/limits.js';
import { LabelSet, truncateUtf8 } from '../labels.js';

/** Items of one array or object copied into `fields`; the rest is summarized. */
export const FIELD_ITEMS_MAX = 256;
/** Nesting kept under `fields` (the entry itself adds a level; the store's limit is ORIGINAL_DATA_DEPTH_MAX). */
export const FIELD_DEPTH_MAX = ORIGINAL_DATA_DEPTH_MAX - 2;

/** A JSON-safe bounded copy: cycles, functions, bigints, deep or long structures are replaced by text. */
export function boundedJson(value: unknown, depth = 1, seen = new Set<object>()): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return value === undefined ? undefined : String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (value instanceof Error) return errorJson(value, depth, seen);
  if (seen.has(value)) return '[Circular]';
  if (depth > FIELD_DEPTH_MAX) return '[Object]';
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      const out = value.slice(0, FIELD_ITEMS_MAX).map((item) => boundedJson(item, depth + 1, seen) ?? null);
      if (value.length > FIELD_ITEMS_MAX) out.push(`[${value.length - FIELD_ITEMS_MAX} more]`);
      return out;
    }
    const out: Record<string, unknown> = {};
    let count = 0;
    for (const key of Object.keys(value)) {
      if (++count > FIELD_ITEMS_MAX) {
        out['…'] = 'more keys omitted';
        break;
      }
      if (key === '__proto__') continue;
      const item = boundedJson((value as Record<string, unknown>)[key], depth + 1, seen);
      if (item !== undefined) out[key] = item;
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

function errorJson(error: Error, depth: number, seen: Set<object>): Record<string, unknown> {
  const out: Record<string, unknown> = { type: error.name, message: error.message };
  if (error.stack !== undefined) out.stack = error.stack;
  for (const key of Object.keys(error))
    out[key] = boundedJson((error as unknown as Record<string, unknown>)[key], depth + 1, seen);
  return out;
}

/** The parts of an entry a transport gathered from one log call. */
export interface EntryParts {
  readonly message: string;
  readonly level: string;
  readonly source: string;
  readonly timestamp?: number | string;
  /** Labels added first (the transport's `labels` option), then the scalars of `data`. */
  readonly staticLabels: Readonly<Record<string, string>>;
  /** The record's other data: scalars become labels while they fit, the rest `fields`. */
  readonly data: Readonly<Record<string, unknown>>;
  readonly id: string;
}

const SCALAR_LABEL_CHARS_MAX = 256;

/** An entry that passes validation whatever the record held. */
export function fitEntry(parts: EntryParts): LogEntryInput {
  const labels = new LabelSet();
  for (const [key, value] of Object.entries(parts.staticLabels)) labels.add(key, value);
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parts.data)) {
    const scalar =
      (typeof value === 'string' && value.length <= SCALAR_LABEL_CHARS_MAX) ||
      (typeof value === 'number' && Number.isFinite(value)) ||
      typeof value === 'boolean';
    const before = labels.dropped;
    if (scalar) labels.add(key, value);
    if (!scalar || labels.dropped > before) {
      const item = boundedJson(value);
      if (item !== undefined && key !== '__proto__') fields[key] = item;
    }
  }
  let message = parts.message.trim() === '' ? '(empty message)' : parts.message;
  const cut = truncateUtf8(message, MESSAGE_BYTES_MAX);
  const entry: Record<string, unknown> = {
    id: parts.id,
    message: cut,
    level: parts.level,
    source: truncateUtf8(parts.source, SOURCE_BYTES_MAX) || 'unknown',
  };
  if (cut !== message) entry.message_truncated = true;
  message = cut;
  if (parts.timestamp !== undefined) entry.timestamp = parts.timestamp;
  const set = labels.result();
  if (set !== undefined) entry.labels = set;
  if (Object.keys(fields).length > 0) entry.fields = fields;
  return shrink(entry);
}

/** Drops `fields`, then halves the message, until the entry's JSON fits ENTRY_BYTES_MAX. */
function shrink(entry: Record<string, unknown>): LogEntryInput {
  const size = (): number => Buffer.byteLength(JSON.stringify(entry), 'utf8');
  if (size() <= ENTRY_BYTES_MAX) return entry as LogEntryInput;
  if (entry.fields !== undefined) {
    entry.fields = { omitted: 'the fields made the entry larger than the store accepts' };
  }
  while (size() > ENTRY_BYTES_MAX) {
    entry.message = truncateUtf8(
      entry.message as string,
      Math.floor(Buffer.byteLength(entry.message as string) / 2),
    );
    entry.message_truncated = true;
  }
  return entry as LogEntryInput;
}
