/**
 * The stored record as API.md shows it, and the two ways a client names one: the seed's
 * `file_path` (derived from the Raft index, never a real path) or the entry's id.
 */

import { LogClusterError } from '../../errors.js';
import type { OriginalData } from './validate.js';

/** One committed entry as /read, /logs and /logs/stream return it (`data`). */
export interface LogRecord {
  /** `log_<index, 20 digits>.json`: the seed's name, now a pure function of the index. */
  readonly file_path: string;
  readonly id: string;
  readonly index: number;
  readonly term: number;
  /** ISO-8601 UTC, millisecond precision: the client's timestamp or the leader's clock. */
  readonly timestamp: string;
  /** The node that accepted (encoded) the entry. */
  readonly node_id: string;
  readonly original_data: OriginalData;
  /** sha256 hex of the UTF-8 bytes of JSON.stringify(original_data), verified on every read. */
  readonly checksum: string;
}

/** How a client names an entry: by Raft index (from a file_path) or by id. */
export type EntryRef =
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'id'; readonly id: string };

/** Digits of the index in a file_path: 20 holds every safe integer, and names sort as numbers. */
export const FILE_PATH_DIGITS = 20;

const FILE_PATH_PATTERN = /^log_(\d{20})\.json$/;
const REF_ID_PATTERN = /^[A-Za-z0-9][\w.:-]{0,127}$/;

/** The file_path of the entry at `index`. */
export function filePathOf(index: number): string {
  return `log_${String(index).padStart(FILE_PATH_DIGITS, '0')}.json`;
}

/** True when `text` has the file_path shape (so no client id may take it). */
export function isFilePath(text: string): boolean {
  return FILE_PATH_PATTERN.test(text);
}

/**
 * What a /read path segment names. Only two shapes pass — `log_<20 digits>.json` and an id of the
 * id charset — so `..`, separators, percent-escapes, NUL and absolute paths all fail with
 * INVALID_PATH before anything is looked up. Nothing here (or after) touches a file system.
 */
export function parseEntryRef(text: string): EntryRef {
  const match = FILE_PATH_PATTERN.exec(text);
  if (match !== null) {
    const index = Number(match[1]);
    if (Number.isSafeInteger(index) && index > 0) return { kind: 'index', index };
  } else if (REF_ID_PATTERN.test(text) && !text.includes('..')) {
    return { kind: 'id', id: text };
  }
  throw new LogClusterError(
    'INVALID_PATH',
    'The path must be a file_path like log_00000000000000000042.json or an entry id',
    { field: 'file_path' },
  );
}
