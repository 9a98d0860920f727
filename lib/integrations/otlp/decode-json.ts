/**
 * OTLP/HTTP JSON (the protobuf JSON mapping): `{"resourceLogs":[{"resource":{"attributes":[...]},
 * "scopeLogs":[{"scope":{...},"logRecords":[...]}]}]}`. Field names are accepted in lowerCamelCase
 * and snake_case, 64-bit integers as numbers or strings, enums as numbers or names, trace and span
 * ids as hex (OTLP's JSON rule). Unknown fields are ignored (OTLP receivers must). Every count and
 * depth is bounded; a shape error is 400 INVALID_ENTRY naming the field.
 */

import { LogClusterError } from '../../errors.js';
import { checkEntryCount, field, isObject } from '../ingest-item.js';
import {
  INGEST_ENTRIES_MAX,
  OTLP_ATTRIBUTES_MAX,
  OTLP_VALUE_DEPTH_MAX,
  OTLP_VALUE_ITEMS_MAX,
} from '../limits.js';
import type {
  DecodeCounts,
  OtlpAttributes,
  OtlpRecord,
  OtlpResource,
  OtlpScope,
  OtlpValue,
} from './model.js';

function invalid(at: string, why: string, extra: Record<string, unknown> = {}): LogClusterError {
  return new LogClusterError('INVALID_ENTRY', `${at}: ${why}`, { field: at, ...extra });
}

function list(value: unknown, at: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalid(at, 'must be an array');
  return value;
}

function text(value: unknown, at: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw invalid(at, 'must be a string');
  return value;
}

/** Decodes an ExportLogsServiceRequest in JSON; no `resourceLogs` means nothing to store. */
export function decodeOtlpJson(body: unknown): OtlpResource[] {
  if (!isObject(body))
    throw invalid('resourceLogs', 'the body must be an object like {"resourceLogs": [...]}');
  const counts: DecodeCounts = { records: 0 };
  return list(field(body, 'resourceLogs', 'resource_logs'), 'resourceLogs').map((raw, r) => {
    const at = `resourceLogs[${r}]`;
    if (!isObject(raw)) throw invalid(at, 'must be an object');
    const resource = field(raw, 'resource') ?? {};
    if (!isObject(resource)) throw invalid(`${at}.resource`, 'must be an object');
    const attributes = decodeAttributes(resource.attributes, `${at}.resource.attributes`);
    const scopes = list(field(raw, 'scopeLogs', 'scope_logs'), `${at}.scopeLogs`).map((scope, s) =>
      decodeScope(scope, `${at}.scopeLogs[${s}]`, counts),
    );
    return { attributes, scopes, identity: JSON.stringify(resource) };
  });
}

function decodeScope(raw: unknown, at: string, counts: DecodeCounts): OtlpScope {
  if (!isObject(raw)) throw invalid(at, 'must be an object');
  const scope = field(raw, 'scope') ?? {};
  if (!isObject(scope)) throw invalid(`${at}.scope`, 'must be an object');
  const rawRecords = list(field(raw, 'logRecords', 'log_records'), `${at}.logRecords`);
  counts.records += rawRecords.length;
  checkEntryCount(counts.records, INGEST_ENTRIES_MAX);
  return {
    name: text(scope.name, `${at}.scope.name`),
    version: text(scope.version, `${at}.scope.version`),
    records: rawRecords.map((record, i) => decodeRecord(record, `${at}.logRecords[${i}]`)),
  };
}

function decodeRecord(raw: unknown, at: string): OtlpRecord {
  if (!isObject(raw)) throw invalid(at, 'must be an object');
  const body = field(raw, 'body');
  return {
    timeUnixNano: nanos(field(raw, 'timeUnixNano', 'time_unix_nano'), `${at}.timeUnixNano`),
    observedTimeUnixNano: nanos(
      field(raw, 'observedTimeUnixNano', 'observed_time_unix_nano'),
      `${at}.observedTimeUnixNano`,
    ),
    severityNumber: severity(field(raw, 'severityNumber', 'severity_number'), `${at}.severityNumber`),
    severityText: text(field(raw, 'severityText', 'severity_text'), `${at}.severityText`),
    body: body === undefined ? undefined : decodeValue(body, `${at}.body`, 1),
    attributes: decodeAttributes(raw.attributes, `${at}.attributes`),
    droppedAttributesCount: uint(field(raw, 'droppedAttributesCount', 'dropped_attributes_count'), at),
    flags: uint(raw.flags, `${at}.flags`),
    traceId: hexId(field(raw, 'traceId', 'trace_id'), `${at}.traceId`, 32),
    spanId: hexId(field(raw, 'spanId', 'span_id'), `${at}.spanId`, 16),
    eventName: text(field(raw, 'eventName', 'event_name'), `${at}.eventName`),
    identity: JSON.stringify(raw),
  };
}

function nanos(value: unknown, at: string): bigint {
  if (value === undefined || value === null) return 0n;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) return BigInt(value);
  throw invalid(at, 'must be nanoseconds since the epoch (a string or integer)');
}

const SEVERITY_NAMES = [
  'UNSPECIFIED',
  'TRACE',
  'TRACE2',
  'TRACE3',
  'TRACE4',
  'DEBUG',
  'DEBUG2',
  'DEBUG3',
  'DEBUG4',
  'INFO',
  'INFO2',
  'INFO3',
  'INFO4',
  'WARN',
  'WARN2',
  'WARN3',
  'WARN4',
  'ERROR',
  'ERROR2',
  'ERROR3',
  'ERROR4',
  'FATAL',
  'FATAL2',
  'FATAL3',
  'FATAL4',
];

function severity(value: unknown, at: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 24) return value;
  if (typeof value === 'string') {
    const index = SEVERITY_NAMES.indexOf(value.replace(/^SEVERITY_NUMBER_/, ''));
    if (index >= 0) return index;
  }
  throw invalid(at, 'must be a SeverityNumber (0-24 or its name)');
}

function uint(value: unknown, at: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff) return value;
  throw invalid(at, 'must be an unsigned 32-bit integer');
}

function hexId(value: unknown, at: string, digits: number): string {
  if (value === undefined || value === null || value === '') return '';
  if (typeof value !== 'string' || !new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(value)) {
    throw invalid(at, `must be ${digits} hex digits`);
  }
  return value.toLowerCase();
}

/** Decodes KeyValue lists; more than OTLP_ATTRIBUTES_MAX is a label bomb and is refused. */
export function decodeAttributes(value: unknown, at: string): OtlpAttributes {
  const raws = list(value, at);
  if (raws.length > OTLP_ATTRIBUTES_MAX) {
    throw invalid(at, `at most ${OTLP_ATTRIBUTES_MAX} attributes are accepted`, {
      limit: OTLP_ATTRIBUTES_MAX,
    });
  }
  return raws.map((raw, i): [string, OtlpValue] => {
    if (!isObject(raw) || typeof raw.key !== 'string')
      throw invalid(`${at}[${i}]`, 'must be {"key", "value"}');
    return [raw.key, raw.value === undefined ? null : decodeValue(raw.value, `${at}[${i}].value`, 1)];
  });
}

function decodeValue(raw: unknown, at: string, depth: number): OtlpValue {
  if (depth > OTLP_VALUE_DEPTH_MAX) throw invalid(at, `values nest at most ${OTLP_VALUE_DEPTH_MAX} deep`);
  if (raw === null) return null;
  if (!isObject(raw)) throw invalid(at, 'must be an AnyValue object like {"stringValue": "..."}');
  const string = field(raw, 'stringValue', 'string_value');
  if (string !== undefined) return text(string, at);
  const bool = field(raw, 'boolValue', 'bool_value');
  if (bool !== undefined) {
    if (typeof bool !== 'boolean') throw invalid(at, 'boolValue must be a boolean');
    return bool;
  }
  const int = field(raw, 'intValue', 'int_value');
  if (int !== undefined) return intValue(int, at);
  const double = field(raw, 'doubleValue', 'double_value');
  if (double !== undefined) {
    if (typeof double === 'number') return double;
    if (double === 'NaN' || double === 'Infinity' || double === '-Infinity') return double;
    throw invalid(at, 'doubleValue must be a number');
  }
  const array = field(raw, 'arrayValue', 'array_value');
  if (array !== undefined) {
    const values = list(isObject(array) ? array.values : undefined, `${at}.arrayValue.values`);
    if (values.length > OTLP_VALUE_ITEMS_MAX)
      throw invalid(at, `arrays hold at most ${OTLP_VALUE_ITEMS_MAX} values`);
    return values.map((v, i) => decodeValue(v, `${at}.arrayValue.values[${i}]`, depth + 1));
  }
  const kvlist = field(raw, 'kvlistValue', 'kvlist_value');
  if (kvlist !== undefined) {
    const values = list(isObject(kvlist) ? kvlist.values : undefined, `${at}.kvlistValue.values`);
    if (values.length > OTLP_VALUE_ITEMS_MAX)
      throw invalid(at, `kvlists hold at most ${OTLP_VALUE_ITEMS_MAX} pairs`);
    const out: { [key: string]: OtlpValue } = {};
    values.forEach((pair, i) => {
      const where = `${at}.kvlistValue.values[${i}]`;
      if (!isObject(pair) || typeof pair.key !== 'string') throw invalid(where, 'must be {"key", "value"}');
      if (pair.key === '__proto__') return;
      out[pair.key] = pair.value === undefined ? null : decodeValue(pair.value, `${where}.value`, depth + 1);
    });
    return out;
  }
  const bytes = field(raw, 'bytesValue', 'bytes_value');
  if (bytes !== undefined) return text(bytes, at);
  return null;
}

function intValue(raw: unknown, at: string): number | string {
  if (typeof raw === 'number' && Number.isInteger(raw)) return raw;
  if (typeof raw === 'string' && /^-?\d{1,20}$/.test(raw)) {
    const value = BigInt(raw);
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : raw;
  }
  throw invalid(at, 'intValue must be an integer');
}
