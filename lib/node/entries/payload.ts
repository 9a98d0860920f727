/**
 * The bytes a log entry occupies in a Raft entry: one header line, then the canonical
 * original_data JSON exactly as the accepting node produced it.
 *
 *   {"v":1,"id":"…","ts":<ms>,"at":<ms>,"node":"node1","sum":"<sha256 hex>"}\n{"message":…}
 *
 * Encoded once, on the leader. Replicas never re-serialise: the checksum is verified over the
 * stored body bytes themselves, so any byte that changed on disk or in flight is caught on read.
 */

import { hash } from 'node:crypto';
import { assert } from '../../assert.js';
import { LogClusterError } from '../../errors.js';
import { type Level, parseLevel } from './levels.js';
import { filePathOf, type LogRecord } from './record.js';
import type { OriginalData, ValidEntry } from './validate.js';

/** Payload format version, first in the header so a future format can be told apart. */
export const PAYLOAD_VERSION = 1;

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

/** The Raft entry payload for `entry`. Call once, on the node that proposes it. */
export function encodeEntry(entry: ValidEntry, context: EncodeContext): Uint8Array {
  const ts = entry.timestampMs ?? context.nowMs;
  const header =
    `{"v":${PAYLOAD_VERSION},"id":${JSON.stringify(entry.id)},"ts":${ts},"at":${context.nowMs},` +
    `"node":${JSON.stringify(context.nodeId)},"sum":"${checksumOf(entry.originalJson)}"}`;
  return Buffer.from(`${header}\n${entry.originalJson}`, 'utf8');
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
  if (header === null || header.v !== PAYLOAD_VERSION || typeof header.id !== 'string') return undefined;
  if (typeof header.ts !== 'number' || typeof header.sum !== 'string') return undefined;
  return { header, bodyStart: newline + 1 };
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
 * Decodes what apply needs. A committed payload that does not decode was never produced by
 * encodeEntry: a bug or a format mismatch, so it asserts (every replica fails alike).
 */
export function decodeIndexFields(payload: Uint8Array): IndexFields {
  const bytes = asBuffer(payload);
  const decoded = decodeHeader(bytes);
  assert(decoded !== undefined, 'a committed payload has a version 1 header');
  const { header, bodyStart } = decoded;
  const body = JSON.parse(bytes.toString('utf8', bodyStart)) as OriginalData;
  const level = parseLevel(body.level);
  assert(level !== undefined && typeof body.source === 'string', 'payload body has level and source');
  return {
    id: header.id,
    timestampMs: header.ts,
    acceptedAtMs: header.at,
    level,
    source: body.source,
    labels: body.labels,
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
  return {
    file_path: filePathOf(index),
    id: header.id,
    index,
    term,
    timestamp: new Date(header.ts).toISOString(),
    node_id: header.node,
    original_data: JSON.parse(body.toString('utf8')) as OriginalData,
    checksum: header.sum,
  };
}

function corrupt(index: number, why: string): LogClusterError {
  return new LogClusterError('STORAGE_CORRUPT', `Entry ${index} failed verification: ${why}`, { index });
}
