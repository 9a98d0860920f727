/**
 * The bytes a log entry occupies in a Raft entry: one header line, then the canonical
 * original_data JSON exactly as the accepting node produced it.
 *
 *   v2: {"v":2,"id":"…","ts":<ms>,"at":<ms>,"level":"info","source":"…","labels":{…},
 *        "node":"node1","sum":"<sha256 hex>"}\n{"message":…}      (labels only when given)
 *   v1: {"v":1,"id":"…","ts":<ms>,"at":<ms>,"node":"node1","sum":"<sha256 hex>"}\n{"message":…}
 *
 * Encoded once, on the leader. Replicas never re-serialise: the checksum is verified over the
 * stored body bytes themselves, so any byte that changed on disk or in flight is caught on read.
 * Version 2 repeats level, source and labels in the header so apply reads only the header (the
 * body JSON-parse was most of a follower's apply time); reads check the copy against the body.
 * Version 1 payloads (written before) still decode everywhere.
 */

import { hash } from 'node:crypto';
import { assert } from '../../assert.js';
import { LogClusterError } from '../../errors.js';
import { scanHeaderV2 } from './header-scan.js';
import { type Level, parseLevel } from './levels.js';
import { filePathOf, type LogRecord } from './record.js';
import type { OriginalData, ValidEntry } from './validate.js';

/** Payload format version written now, first in the header so formats can be told apart. */
export const PAYLOAD_VERSION = 2;

/** The oldest payload format still read (entries already on disk). */
export const PAYLOAD_VERSION_MIN = 1;

const NEWLINE = 0x0a;

interface Header {
  readonly v: number;
  readonly id: string;
  /** The entry's timestamp, epoch ms. */
  readonly ts: number;
  /** The accepting leader's clock when it encoded the entry: the dedup window's age clock. */
  readonly at: number;
  readonly node: string;
  readonly sum: string;
  /** Version 2 only: copies of the body's level, source and labels (what apply indexes). */
  readonly level?: string;
  readonly source?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** What the leader adds to a valid entry: who accepts it and when. */
export interface EncodeContext {
  readonly nodeId: string;
  /** The leader's wall clock, epoch ms: the default timestamp and the dedup age clock. */
  readonly nowMs: number;
}

/** The sha256 hex of `original_data`'s canonical JSON text (UTF-8). */
export function checksumOf(originalJson: string | Uint8Array): string {
  return hash('sha256', originalJson, 'hex');
}

/** The Raft entry payload for `entry` (version 2). Call once, on the node that proposes it. */
export function encodeEntry(entry: ValidEntry, context: EncodeContext): Uint8Array {
  const ts = entry.timestampMs ?? context.nowMs;
  const { level, source, labels } = entry.original;
  const labelsJson = labels === undefined ? '' : `,"labels":${JSON.stringify(labels)}`;
  const header =
    `{"v":${PAYLOAD_VERSION},"id":${jsonString(entry.id)},"ts":${ts},"at":${context.nowMs},` +
    `"level":"${level}","source":${jsonString(source)}${labelsJson},` +
    `"node":${jsonString(context.nodeId)},"sum":"${checksumOf(entry.originalJson)}"}`;
  return Buffer.from(`${header}\n${entry.originalJson}`, 'utf8');
}

/** Strings longer than this go straight to JSON.stringify (ids and sources are shorter). */
const JSON_PLAIN_CHECK_MAX = 256;

/**
 * JSON.stringify(text), ~10% of encodeEntry quicker for what ids, sources and node ids are:
 * text with nothing to escape (no quote, backslash, control character or surrogate) is only
 * quoted; anything else goes to JSON.stringify.
 */
function jsonString(text: string): string {
  if (text.length > JSON_PLAIN_CHECK_MAX) return JSON.stringify(text);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(text);
  }
  return `"${text}"`;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The header and where the body starts, or undefined when the bytes are not a payload. */
function decodeHeader(bytes: Buffer): { header: Header; bodyStart: number } | undefined {
  const newline = bytes.indexOf(NEWLINE);
  if (newline <= 0) return undefined;
  let header: Header;
  try {
    header = JSON.parse(bytes.toString('utf8', 0, newline)) as Header;
  } catch {
    return undefined;
  }
  if (header === null || typeof header !== 'object') return undefined;
  if (header.v !== PAYLOAD_VERSION && header.v !== PAYLOAD_VERSION_MIN) return undefined;
  if (typeof header.id !== 'string' || typeof header.ts !== 'number') return undefined;
  if (typeof header.at !== 'number' || typeof header.sum !== 'string') return undefined;
  if (header.v === PAYLOAD_VERSION) {
    if (typeof header.level !== 'string' || typeof header.source !== 'string') return undefined;
    if (header.labels !== undefined && !isLabels(header.labels)) return undefined;
  }
  return { header, bodyStart: newline + 1 };
}

function isLabels(value: unknown): value is Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  for (const key in value) if (typeof (value as Record<string, unknown>)[key] !== 'string') return false;
  return true;
}

/** The fields the state machine indexes, decoded without checksum work (apply path). */
export interface IndexFields {
  readonly id: string;
  readonly timestampMs: number;
  readonly acceptedAtMs: number;
  readonly level: Level;
  readonly source: string;
  readonly labels: Readonly<Record<string, string>> | undefined;
}

/**
 * Decodes what apply needs: from the header alone for version 2, from header and body for
 * version 1. A committed payload that does not decode was never produced by encodeEntry: a bug
 * or a format mismatch, so it asserts (every replica fails alike).
 */
export function decodeIndexFields(payload: Uint8Array): IndexFields {
  const bytes = asBuffer(payload);
  // The scan needs no header end: a newline is a control byte, which no plain string holds.
  const scanned = scanHeaderV2(bytes, bytes.length);
  if (scanned !== undefined) return scanned;
  const decoded = decodeHeader(bytes);
  assert(decoded !== undefined, 'a committed payload has a version 1 or 2 header');
  const { header, bodyStart } = decoded;
  const indexed: { level?: string; source?: string; labels?: Record<string, string> } =
    header.v === PAYLOAD_VERSION ? header : (JSON.parse(bytes.toString('utf8', bodyStart)) as OriginalData);
  const level = typeof indexed.level === 'string' ? parseLevel(indexed.level) : undefined;
  assert(level !== undefined && typeof indexed.source === 'string', 'a payload has level and source');
  return {
    id: header.id,
    timestampMs: header.ts,
    acceptedAtMs: header.at,
    level,
    source: indexed.source,
    labels: indexed.labels,
  };
}

/** Only the id (to confirm a read by id: cheaper than a full decode); undefined when unreadable. */
export function decodeId(payload: Uint8Array): string | undefined {
  return decodeHeader(asBuffer(payload))?.header.id;
}

/**
 * The record for a stored entry, its checksum verified over the stored body bytes. A mismatch
 * throws STORAGE_CORRUPT: corrupt data is never served.
 */
export function decodeRecord(index: number, term: number, payload: Uint8Array): LogRecord {
  const bytes = asBuffer(payload);
  const decoded = decodeHeader(bytes);
  if (decoded === undefined) throw corrupt(index, 'its header does not decode');
  const { header, bodyStart } = decoded;
  const body = bytes.subarray(bodyStart);
  if (checksumOf(body) !== header.sum) throw corrupt(index, 'its checksum does not match');
  const original = JSON.parse(body.toString('utf8')) as OriginalData;
  if (header.v === PAYLOAD_VERSION && !indexedCopyMatches(header, original)) {
    throw corrupt(index, 'its header disagrees with its body');
  }
  return {
    file_path: filePathOf(index),
    id: header.id,
    index,
    term,
    timestamp: new Date(header.ts).toISOString(),
    node_id: header.node,
    original_data: original,
    checksum: header.sum,
  };
}

/** True when a version 2 header's level, source and labels are the (checksummed) body's. */
function indexedCopyMatches(header: Header, body: OriginalData): boolean {
  if (header.level !== body.level || header.source !== body.source) return false;
  const a = header.labels;
  const b = body.labels;
  if (a === undefined || b === undefined) return a === b;
  let count = 0;
  for (const key in a) {
    if (b[key] !== a[key]) return false;
    count++;
  }
  for (const _ in b) count--;
  return count === 0;
}

function corrupt(index: number, why: string): LogClusterError {
  return new LogClusterError('STORAGE_CORRUPT', `Entry ${index} failed verification: ${why}`, { index });
}
