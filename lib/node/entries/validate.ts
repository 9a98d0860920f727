/**
 * Validation of what clients write (API.md "Writing"). Runs once, on the node that accepts the
 * request, and produces the canonical `original_data` text that is checksummed and replicated as
 * it is: no replica ever re-serialises it. Every refusal names the field at fault.
 */

import { randomUUID } from 'node:crypto';
import { LogClusterError } from '../../errors.js';
import { LEVEL_DEFAULT, LEVELS_TEXT, type Level, parseLevel } from './levels.js';
import {
  BATCH_ENTRIES_MAX,
  ENTRY_BYTES_MAX,
  ID_BYTES_MAX,
  LABEL_KEY_BYTES_MAX,
  LABEL_VALUE_BYTES_MAX,
  LABELS_MAX,
  MESSAGE_BYTES_MAX,
  ORIGINAL_DATA_DEPTH_MAX,
  SOURCE_BYTES_MAX,
} from './limits.js';
import { isFilePath } from './record.js';
import { parseTimestampMs } from './timestamp.js';

/** The client's data as stored: message, level, source, labels when given, then unknown fields. */
export interface OriginalData {
  readonly message: string;
  readonly level: Level;
  readonly source: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly [field: string]: unknown;
}

/** An accepted entry, ready to be encoded by the leader (see encodeEntry). */
export interface ValidEntry {
  /** The client's id, or a fresh UUID when it gave none: a retry of the same request is then idempotent. */
  readonly id: string;
  /** The client's timestamp in epoch ms; undefined means "the leader's clock when it accepts". */
  readonly timestampMs: number | undefined;
  readonly original: OriginalData;
  /** JSON.stringify(original): the exact text whose UTF-8 bytes are stored and checksummed. */
  readonly originalJson: string;
}

/** Default `source` when an entry names none. */
export const SOURCE_DEFAULT = 'unknown';

/** Client ids: URL-safe (so /read/{id} needs no escaping), starting with a letter or digit. */
export const ID_PATTERN = /^[A-Za-z0-9][\w.:-]*$/;
/** Label keys: what fits a `label.<key>=` query parameter and reads well in a UI. */
export const LABEL_KEY_PATTERN = /^[A-Za-z_][\w.:/-]*$/;

/** Throws INVALID_ENTRY (or ENTRY_TOO_LARGE) naming `field`; `entry` is the position in a batch. */
function fail(field: string, text: string, entry: number | undefined): LogClusterError {
  const where = entry === undefined ? '' : `entry ${entry}: `;
  const details: Record<string, unknown> = { field };
  if (entry !== undefined) details.entry = entry;
  return new LogClusterError('INVALID_ENTRY', where + text, details);
}

function tooLarge(field: string, text: string, entry: number | undefined): LogClusterError {
  const error = fail(field, text, entry);
  return new LogClusterError('ENTRY_TOO_LARGE', error.message, { ...error.details });
}

/** True when `text` is at most `max` UTF-8 bytes; measures only when the length leaves doubt. */
export function fitsUtf8(text: string, max: number): boolean {
  if (text.length * 3 <= max) return true;
  if (text.length > max) return false;
  return Buffer.byteLength(text, 'utf8') <= max;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return typeof value;
}

/** Validates one entry (a parsed JSON object). `entry` is its position when it came in a batch. */
export function validateEntry(raw: unknown, entry?: number): ValidEntry {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw fail('entry', `an entry must be a JSON object (got ${describe(raw)})`, entry);
  }
  const input = raw as Record<string, unknown>;
  let extras: string[] | undefined;
  for (const key in input) {
    if (key === 'message' || key === 'level' || key === 'source' || key === 'labels') continue;
    if (key === 'timestamp' || key === 'id') continue;
    if (key === '__proto__') throw fail(key, 'the field name __proto__ is not allowed', entry);
    if (input[key] !== undefined) (extras ??= []).push(key);
  }
  const original: Record<string, unknown> = {
    message: checkMessage(input.message, entry),
    level: checkLevel(input.level, entry),
    source: checkSource(input.source, entry),
  };
  const labels = checkLabels(input.labels, entry);
  if (labels !== undefined) original.labels = labels;
  if (extras !== undefined) {
    for (const key of extras) {
      checkJsonValue(input[key], key, entry);
      original[key] = input[key];
    }
  }
  const originalJson = JSON.stringify(original);
  if (!fitsUtf8(originalJson, ENTRY_BYTES_MAX)) {
    throw tooLarge('entry', `the entry is larger than ${ENTRY_BYTES_MAX} bytes of JSON`, entry);
  }
  return {
    id: checkId(input.id, entry),
    timestampMs: checkTimestamp(input.timestamp, entry),
    original: original as unknown as OriginalData,
    originalJson,
  };
}

/** Validates a batch: non-empty, at most BATCH_ENTRIES_MAX, every entry valid (all or nothing). */
export function validateEntries(raws: readonly unknown[]): ValidEntry[] {
  if (raws.length === 0) throw new LogClusterError('EMPTY_BATCH', 'The batch holds no entries');
  if (raws.length > BATCH_ENTRIES_MAX) {
    throw new LogClusterError(
      'BATCH_TOO_LARGE',
      `The batch holds ${raws.length} entries; at most ${BATCH_ENTRIES_MAX} are accepted`,
      { limit: BATCH_ENTRIES_MAX },
    );
  }
  const valid = new Array<ValidEntry>(raws.length);
  for (let i = 0; i < raws.length; i++) valid[i] = validateEntry(raws[i], i);
  return valid;
}

function checkMessage(value: unknown, entry: number | undefined): string {
  if (value === undefined || value === null) throw fail('message', 'message is required', entry);
  if (typeof value !== 'string')
    throw fail('message', `message must be a string (got ${describe(value)})`, entry);
  if (value.trim() === '') throw fail('message', 'message must not be empty', entry);
  if (!fitsUtf8(value, MESSAGE_BYTES_MAX)) {
    throw tooLarge('message', `message is larger than ${MESSAGE_BYTES_MAX} bytes`, entry);
  }
  return value;
}

function checkLevel(value: unknown, entry: number | undefined): Level {
  if (value === undefined || value === null) return LEVEL_DEFAULT;
  const level = typeof value === 'string' ? parseLevel(value) : undefined;
  if (level === undefined)
    throw fail('level', `level must be one of ${LEVELS_TEXT} (got ${describe(value)})`, entry);
  return level;
}

function checkSource(value: unknown, entry: number | undefined): string {
  if (value === undefined || value === null) return SOURCE_DEFAULT;
  if (typeof value !== 'string' || value === '') {
    throw fail('source', `source must be a non-empty string (got ${describe(value)})`, entry);
  }
  if (!fitsUtf8(value, SOURCE_BYTES_MAX))
    throw fail('source', `source is longer than ${SOURCE_BYTES_MAX} bytes`, entry);
  return value;
}

function checkLabels(value: unknown, entry: number | undefined): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw fail('labels', `labels must be an object of strings (got ${describe(value)})`, entry);
  }
  const input = value as Record<string, unknown>;
  const labels: Record<string, string> = {};
  let count = 0;
  for (const key in input) {
    const field = `labels.${key}`;
    if (++count > LABELS_MAX) throw fail('labels', `at most ${LABELS_MAX} labels are accepted`, entry);
    if (key === '__proto__' || key.length > LABEL_KEY_BYTES_MAX || !LABEL_KEY_PATTERN.test(key)) {
      throw fail(
        field,
        `${field}: a label key must be 1-${LABEL_KEY_BYTES_MAX} characters of letters, digits, _ . : / -, starting with a letter or _`,
        entry,
      );
    }
    const raw = input[key];
    let text: string;
    if (typeof raw === 'string') text = raw;
    else if ((typeof raw === 'number' && Number.isFinite(raw)) || typeof raw === 'boolean')
      text = String(raw);
    else throw fail(field, `${field} must be a string, number or boolean (got ${describe(raw)})`, entry);
    if (!fitsUtf8(text, LABEL_VALUE_BYTES_MAX)) {
      throw fail(field, `${field} is longer than ${LABEL_VALUE_BYTES_MAX} bytes`, entry);
    }
    labels[key] = text;
  }
  return count === 0 ? undefined : labels;
}

function checkId(value: unknown, entry: number | undefined): string {
  if (value === undefined || value === null) return randomUUID();
  if (
    typeof value !== 'string' ||
    value.length > ID_BYTES_MAX ||
    !ID_PATTERN.test(value) ||
    value.includes('..') ||
    isFilePath(value)
  ) {
    throw fail(
      'id',
      `id must be 1-${ID_BYTES_MAX} characters of letters, digits, _ . : - starting with a letter or digit (got ${describe(value)})`,
      entry,
    );
  }
  return value;
}

function checkTimestamp(value: unknown, entry: number | undefined): number | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = parseTimestampMs(value);
  if (ms === undefined) {
    throw fail(
      'timestamp',
      `timestamp must be ISO-8601 text or epoch milliseconds between 1970 and 9999 (got ${describe(value)})`,
      entry,
    );
  }
  return ms;
}

/** Unknown fields must be JSON (no bigint, function, NaN) and at most ORIGINAL_DATA_DEPTH_MAX deep. */
function checkJsonValue(value: unknown, field: string, entry: number | undefined): void {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 1 }];
  while (stack.length > 0) {
    const top = stack.pop()!;
    const v = top.value;
    if (v === null || typeof v === 'string' || typeof v === 'boolean') continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw fail(field, `${field} holds a number JSON cannot represent`, entry);
      continue;
    }
    if (typeof v !== 'object') {
      if (v === undefined) continue;
      throw fail(field, `${field} holds a ${typeof v}, which is not JSON`, entry);
    }
    if (top.depth > ORIGINAL_DATA_DEPTH_MAX) {
      throw fail(field, `${field} is nested deeper than ${ORIGINAL_DATA_DEPTH_MAX} levels`, entry);
    }
    const children = Array.isArray(v) ? v : Object.values(v as object);
    for (const child of children) stack.push({ value: child, depth: top.depth + 1 });
  }
}
