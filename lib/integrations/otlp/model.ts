/**
 * The OTLP logs data model both encodings (JSON, protobuf) decode into: resources holding scopes
 * holding records, attributes as ordered pairs, values as JSON (int64 beyond 2^53 as text, bytes
 * as base64), trace and span ids as hex.
 */

/** An AnyValue as JSON; null is an empty AnyValue. */
export type OtlpValue = string | number | boolean | null | OtlpValue[] | { [key: string]: OtlpValue };

/** Attributes in the order sent. */
export type OtlpAttributes = Array<[string, OtlpValue]>;

/** One LogRecord. */
export interface OtlpRecord {
  readonly timeUnixNano: bigint;
  readonly observedTimeUnixNano: bigint;
  readonly severityNumber: number;
  readonly severityText: string;
  /** Undefined when the record has no body. */
  readonly body: OtlpValue | undefined;
  readonly attributes: OtlpAttributes;
  readonly droppedAttributesCount: number;
  readonly flags: number;
  /** Hex; empty when unset. */
  readonly traceId: string;
  readonly spanId: string;
  readonly eventName: string;
  /** The record as encoded (protobuf bytes or JSON text): what its idempotency id hashes. */
  readonly identity: string | Uint8Array;
}

/** One ScopeLogs: the instrumentation scope and its records. */
export interface OtlpScope {
  readonly name: string;
  readonly version: string;
  readonly records: OtlpRecord[];
}

/** One ResourceLogs. */
export interface OtlpResource {
  readonly attributes: OtlpAttributes;
  readonly scopes: OtlpScope[];
  /** The resource as encoded: part of every record id, so equal records of two services differ. */
  readonly identity: string | Uint8Array;
}

/** Counts shared by one request's decoding (for INGEST_ENTRIES_MAX). */
export interface DecodeCounts {
  records: number;
}
