/**
 * Loki push requests (`POST /loki/api/v1/push`) in both encodings Loki accepts: JSON
 * (`{"streams":[{"stream":{...},"values":[["<ns>","<line>",{metadata}]]}]}`) and protobuf
 * (logproto.PushRequest, snappy-compressed by the caller's transport). Both decode to the same
 * streams; every count is bounded (LOKI_STREAMS_MAX, INGEST_ENTRIES_MAX, LOKI_METADATA_PAIRS_MAX,
 * LOKI_STREAM_LABELS_MAX) and every shape error is 400 INVALID_ENTRY naming the field.
 */

import { LogClusterError } from '../../errors.js';
import { ProtoReader, protobufError, WIRE } from '../codec/proto-reader.js';
import { checkEntryCount, isObject } from '../ingest-item.js';
import {
  INGEST_ENTRIES_MAX,
  LOKI_METADATA_PAIRS_MAX,
  LOKI_STREAM_LABELS_MAX,
  LOKI_STREAMS_MAX,
} from '../limits.js';
import { parseLabelsText } from './labels-text.js';

/** One log line of a stream. */
export interface LokiLine {
  /** Nanoseconds since the epoch. */
  readonly tsNs: bigint;
  readonly line: string;
  /** Loki 3 structured metadata (non-indexed name/value pairs). */
  readonly metadata: ReadonlyArray<readonly [string, string]>;
}

/** One stream: a label set and its lines. */
export interface LokiStream {
  readonly labels: ReadonlyArray<readonly [string, string]>;
  readonly lines: readonly LokiLine[];
}

const NS_PATTERN = /^\d{1,19}$/;
/** 9999-12-31T23:59:59Z in ns: later timestamps are refused like /write refuses them. */
const TS_NS_MAX = 253_402_300_799_999_999_999n;

function invalid(field: string, why: string, extra: Record<string, unknown> = {}): LogClusterError {
  return new LogClusterError('INVALID_ENTRY', `${field}: ${why}`, { field, ...extra });
}

function checkStreams(count: number): void {
  if (count > LOKI_STREAMS_MAX) {
    throw invalid('streams', `a push holds at most ${LOKI_STREAMS_MAX} streams`, { limit: LOKI_STREAMS_MAX });
  }
}

function checkMetadata(count: number, field: string): void {
  if (count > LOKI_METADATA_PAIRS_MAX) {
    throw invalid(field, `at most ${LOKI_METADATA_PAIRS_MAX} structured metadata pairs per line`, {
      limit: LOKI_METADATA_PAIRS_MAX,
    });
  }
}

/** Decodes the JSON form. A body without `streams` pushes nothing. */
export function decodeLokiJson(body: unknown): LokiStream[] {
  if (!isObject(body)) throw invalid('streams', 'the body must be an object like {"streams": [...]}');
  if (body.streams === undefined || body.streams === null) return [];
  if (!Array.isArray(body.streams)) throw invalid('streams', 'streams must be an array');
  checkStreams(body.streams.length);
  let total = 0;
  return body.streams.map((raw, s): LokiStream => {
    const at = `streams[${s}]`;
    if (!isObject(raw)) throw invalid(at, 'a stream must be an object with "stream" and "values"');
    const labels = jsonLabels(raw.stream, `${at}.stream`);
    if (!Array.isArray(raw.values)) throw invalid(`${at}.values`, 'values must be an array of [ts, line]');
    total += raw.values.length;
    checkEntryCount(total, INGEST_ENTRIES_MAX);
    const lines = raw.values.map((value, v) => jsonLine(value, `${at}.values[${v}]`));
    return { labels, lines };
  });
}

function jsonLabels(raw: unknown, field: string): Array<[string, string]> {
  if (raw === undefined || raw === null) return [];
  if (!isObject(raw)) throw invalid(field, 'stream labels must be an object of strings');
  const pairs: Array<[string, string]> = [];
  for (const key in raw) {
    if (pairs.length >= LOKI_STREAM_LABELS_MAX) {
      throw invalid(field, `a stream has more than ${LOKI_STREAM_LABELS_MAX} labels`, {
        limit: LOKI_STREAM_LABELS_MAX,
      });
    }
    const value = raw[key];
    if (typeof value !== 'string') throw invalid(`${field}.${key}`, 'a label value must be a string');
    pairs.push([key, value]);
  }
  return pairs;
}

function jsonLine(raw: unknown, field: string): LokiLine {
  if (!Array.isArray(raw) || raw.length < 2 || raw.length > 3) {
    throw invalid(field, 'a value must be ["<unix ns>", "<line>"] or ["<unix ns>", "<line>", {metadata}]');
  }
  const [ts, line, meta] = raw;
  if (typeof ts !== 'string' || !NS_PATTERN.test(ts)) {
    throw invalid(`${field}[0]`, 'the timestamp must be a string of nanoseconds since the epoch');
  }
  const tsNs = BigInt(ts);
  if (tsNs > TS_NS_MAX) throw invalid(`${field}[0]`, 'the timestamp is after the year 9999');
  if (typeof line !== 'string') throw invalid(`${field}[1]`, 'the line must be a string');
  const metadata: Array<[string, string]> = [];
  if (meta !== undefined && meta !== null) {
    if (!isObject(meta)) throw invalid(`${field}[2]`, 'structured metadata must be an object of strings');
    for (const key in meta) {
      checkMetadata(metadata.length + 1, `${field}[2]`);
      const value = meta[key];
      if (typeof value !== 'string') throw invalid(`${field}[2].${key}`, 'metadata values must be strings');
      metadata.push([key, value]);
    }
  }
  return { tsNs, line, metadata };
}

/** Decodes logproto.PushRequest (already decompressed). */
export function decodeLokiProtobuf(bytes: Uint8Array): LokiStream[] {
  const reader = new ProtoReader(bytes);
  const streams: LokiStream[] = [];
  const total = { lines: 0 };
  for (const message of reader.repeatedMessages(1)) {
    checkStreams(streams.length + 1);
    streams.push(protoStream(message, `streams[${streams.length}]`, total));
  }
  return streams;
}

function protoStream(reader: ProtoReader, at: string, total: { lines: number }): LokiStream {
  let labelsText = '{}';
  const lines: LokiLine[] = [];
  while (!reader.done) {
    const tag = reader.tag();
    const field = tag >>> 3;
    if (field === 1) {
      reader.expect(tag, WIRE.bytes);
      labelsText = reader.string();
    } else if (field === 2) {
      reader.expect(tag, WIRE.bytes);
      checkEntryCount(++total.lines, INGEST_ENTRIES_MAX);
      lines.push(protoLine(reader.message(), `${at}.entries[${lines.length}]`));
    } else reader.skip(tag);
  }
  return { labels: parseLabelsText(labelsText, `${at}.labels`), lines };
}

function protoLine(reader: ProtoReader, at: string): LokiLine {
  let tsNs = 0n;
  let line = '';
  const metadata: Array<[string, string]> = [];
  while (!reader.done) {
    const tag = reader.tag();
    const field = tag >>> 3;
    if (field === 1) {
      reader.expect(tag, WIRE.bytes);
      tsNs = protoTimestamp(reader.message(), `${at}.timestamp`);
    } else if (field === 2) {
      reader.expect(tag, WIRE.bytes);
      line = reader.string();
    } else if (field === 3) {
      reader.expect(tag, WIRE.bytes);
      checkMetadata(metadata.length + 1, `${at}.structuredMetadata`);
      metadata.push(protoPair(reader.message()));
    } else reader.skip(tag);
  }
  return { tsNs, line, metadata };
}

/** google.protobuf.Timestamp: seconds (int64) and nanos (int32), both non-negative here. */
function protoTimestamp(reader: ProtoReader, at: string): bigint {
  let seconds = 0n;
  let nanos = 0n;
  while (!reader.done) {
    const tag = reader.tag();
    if (tag >>> 3 === 1) {
      reader.expect(tag, WIRE.varint);
      seconds = reader.int64();
    } else if (tag >>> 3 === 2) {
      reader.expect(tag, WIRE.varint);
      nanos = reader.int64();
    } else reader.skip(tag);
  }
  if (seconds < 0n || nanos < 0n || nanos > 999_999_999n) throw invalid(at, 'the timestamp is out of range');
  const ns = seconds * 1_000_000_000n + nanos;
  if (ns > TS_NS_MAX) throw invalid(at, 'the timestamp is after the year 9999');
  return ns;
}

function protoPair(reader: ProtoReader): [string, string] {
  let name = '';
  let value = '';
  while (!reader.done) {
    const tag = reader.tag();
    if (tag >>> 3 === 1) {
      reader.expect(tag, WIRE.bytes);
      name = reader.string();
    } else if (tag >>> 3 === 2) {
      reader.expect(tag, WIRE.bytes);
      value = reader.string();
    } else reader.skip(tag);
  }
  if (name === '') throw protobufError('a structured metadata pair has no name');
  return [name, value];
}
