/**
 * OTLP/HTTP protobuf: opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest, read with
 * the bounded wire reader. Only the fields logcluster maps are decoded; the rest (schema URLs,
 * dropped counts of scopes and resources, deprecated fields) are skipped. Bounds as in JSON.
 */

import { LogClusterError } from '../../errors.js';
import { type ProtoReader, ProtoReader as Reader, WIRE } from '../codec/proto-reader.js';
import { checkEntryCount } from '../ingest-item.js';
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

/** Decodes an ExportLogsServiceRequest (already decompressed). */
export function decodeOtlpProtobuf(bytes: Uint8Array): OtlpResource[] {
  const reader = new Reader(bytes);
  const counts: DecodeCounts = { records: 0 };
  const resources: OtlpResource[] = [];
  for (const message of reader.repeatedMessages(1)) {
    resources.push(decodeResourceLogs(message, `resourceLogs[${resources.length}]`, counts));
  }
  return resources;
}

function decodeResourceLogs(reader: ProtoReader, at: string, counts: DecodeCounts): OtlpResource {
  let attributes: OtlpAttributes = [];
  let identity: Uint8Array = new Uint8Array(0);
  const scopes: OtlpScope[] = [];
  while (!reader.done) {
    const tag = reader.tag();
    const number = tag >>> 3;
    if (number === 1) {
      reader.expect(tag, WIRE.bytes);
      const resource = reader.message();
      identity = resource.raw;
      attributes = decodeAttributeFields(resource, 1, `${at}.resource.attributes`);
    } else if (number === 2) {
      reader.expect(tag, WIRE.bytes);
      scopes.push(decodeScopeLogs(reader.message(), `${at}.scopeLogs[${scopes.length}]`, counts));
    } else reader.skip(tag);
  }
  return { attributes, scopes, identity };
}

function decodeScopeLogs(reader: ProtoReader, at: string, counts: DecodeCounts): OtlpScope {
  let name = '';
  let version = '';
  const records: OtlpRecord[] = [];
  while (!reader.done) {
    const tag = reader.tag();
    const number = tag >>> 3;
    if (number === 1) {
      reader.expect(tag, WIRE.bytes);
      const scope = reader.message();
      while (!scope.done) {
        const inner = scope.tag();
        if (inner >>> 3 === 1 && (inner & 7) === WIRE.bytes) name = scope.string();
        else if (inner >>> 3 === 2 && (inner & 7) === WIRE.bytes) version = scope.string();
        else scope.skip(inner);
      }
    } else if (number === 2) {
      reader.expect(tag, WIRE.bytes);
      checkEntryCount(++counts.records, INGEST_ENTRIES_MAX);
      records.push(decodeRecord(reader.message(), `${at}.logRecords[${records.length}]`));
    } else reader.skip(tag);
  }
  return { name, version, records };
}

function decodeRecord(reader: ProtoReader, at: string): OtlpRecord {
  const record = {
    timeUnixNano: 0n,
    observedTimeUnixNano: 0n,
    severityNumber: 0,
    severityText: '',
    body: undefined as OtlpValue | undefined,
    attributes: [] as OtlpAttributes,
    droppedAttributesCount: 0,
    flags: 0,
    traceId: '',
    spanId: '',
    eventName: '',
    identity: reader.raw,
  };
  while (!reader.done) {
    const tag = reader.tag();
    switch (tag) {
      case (1 << 3) | WIRE.fixed64:
        record.timeUnixNano = reader.fixed64();
        break;
      case (11 << 3) | WIRE.fixed64:
        record.observedTimeUnixNano = reader.fixed64();
        break;
      case (2 << 3) | WIRE.varint:
        record.severityNumber = reader.varint();
        break;
      case (3 << 3) | WIRE.bytes:
        record.severityText = reader.string();
        break;
      case (5 << 3) | WIRE.bytes:
        record.body = decodeValue(reader.message(), `${at}.body`, 1);
        break;
      case (6 << 3) | WIRE.bytes:
        if (record.attributes.length >= OTLP_ATTRIBUTES_MAX) throw tooMany(`${at}.attributes`);
        record.attributes.push(decodeKeyValue(reader.message(), `${at}.attributes`, 1));
        break;
      case (7 << 3) | WIRE.varint:
        record.droppedAttributesCount = reader.varint();
        break;
      case (8 << 3) | WIRE.fixed32:
        record.flags = reader.fixed32();
        break;
      case (9 << 3) | WIRE.bytes:
        record.traceId = Buffer.from(reader.bytesField()).toString('hex');
        break;
      case (10 << 3) | WIRE.bytes:
        record.spanId = Buffer.from(reader.bytesField()).toString('hex');
        break;
      case (12 << 3) | WIRE.bytes:
        record.eventName = reader.string();
        break;
      default:
        if ([1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12].includes(tag >>> 3)) {
          throw invalid(`${at}`, `field ${tag >>> 3} has the wrong wire type ${tag & 7}`);
        }
        reader.skip(tag);
    }
  }
  return record;
}

function tooMany(at: string): LogClusterError {
  return invalid(at, `at most ${OTLP_ATTRIBUTES_MAX} attributes are accepted`, {
    limit: OTLP_ATTRIBUTES_MAX,
  });
}

/** The KeyValue fields numbered `number` of a message (Resource.attributes is 1). */
function decodeAttributeFields(reader: ProtoReader, number: number, at: string): OtlpAttributes {
  const attributes: OtlpAttributes = [];
  while (!reader.done) {
    const tag = reader.tag();
    if (tag >>> 3 !== number) {
      reader.skip(tag);
      continue;
    }
    reader.expect(tag, WIRE.bytes);
    if (attributes.length >= OTLP_ATTRIBUTES_MAX) throw tooMany(at);
    attributes.push(decodeKeyValue(reader.message(), at, 1));
  }
  return attributes;
}

function decodeKeyValue(reader: ProtoReader, at: string, depth: number): [string, OtlpValue] {
  let key = '';
  let value: OtlpValue = null;
  while (!reader.done) {
    const tag = reader.tag();
    if (tag === ((1 << 3) | WIRE.bytes)) key = reader.string();
    else if (tag === ((2 << 3) | WIRE.bytes))
      value = decodeValue(reader.message(), `${at}.${key || '?'}`, depth);
    else reader.skip(tag);
  }
  return [key, value];
}

function decodeValue(reader: ProtoReader, at: string, depth: number): OtlpValue {
  if (depth > OTLP_VALUE_DEPTH_MAX) throw invalid(at, `values nest at most ${OTLP_VALUE_DEPTH_MAX} deep`);
  let value: OtlpValue = null;
  while (!reader.done) {
    const tag = reader.tag();
    switch (tag) {
      case (1 << 3) | WIRE.bytes:
        value = reader.string();
        break;
      case (2 << 3) | WIRE.varint:
        value = reader.varint() !== 0;
        break;
      case (3 << 3) | WIRE.varint: {
        const int = reader.int64();
        value =
          int >= BigInt(Number.MIN_SAFE_INTEGER) && int <= BigInt(Number.MAX_SAFE_INTEGER)
            ? Number(int)
            : String(int);
        break;
      }
      case (4 << 3) | WIRE.fixed64: {
        const double = reader.double();
        value = Number.isFinite(double) ? double : String(double);
        break;
      }
      case (5 << 3) | WIRE.bytes:
        value = decodeArray(reader.message(), at, depth);
        break;
      case (6 << 3) | WIRE.bytes:
        value = decodeKvlist(reader.message(), at, depth);
        break;
      case (7 << 3) | WIRE.bytes:
        value = Buffer.from(reader.bytesField()).toString('base64');
        break;
      default:
        reader.skip(tag);
    }
  }
  return value;
}

function decodeArray(reader: ProtoReader, at: string, depth: number): OtlpValue[] {
  const values: OtlpValue[] = [];
  while (!reader.done) {
    const tag = reader.tag();
    if (tag !== ((1 << 3) | WIRE.bytes)) {
      reader.skip(tag);
      continue;
    }
    if (values.length >= OTLP_VALUE_ITEMS_MAX)
      throw invalid(at, `arrays hold at most ${OTLP_VALUE_ITEMS_MAX} values`);
    values.push(decodeValue(reader.message(), `${at}[${values.length}]`, depth + 1));
  }
  return values;
}

function decodeKvlist(reader: ProtoReader, at: string, depth: number): { [key: string]: OtlpValue } {
  const out: { [key: string]: OtlpValue } = {};
  let count = 0;
  while (!reader.done) {
    const tag = reader.tag();
    if (tag !== ((1 << 3) | WIRE.bytes)) {
      reader.skip(tag);
      continue;
    }
    if (++count > OTLP_VALUE_ITEMS_MAX)
      throw invalid(at, `kvlists hold at most ${OTLP_VALUE_ITEMS_MAX} pairs`);
    const [key, value] = decodeKeyValue(reader.message(), at, depth + 1);
    if (key !== '__proto__') out[key] = value;
  }
  return out;
}
