/**
 * Bounds of the ingestion endpoints (Loki push, OTLP logs, syslog). Each one caps what a single
 * request or connection can make the node allocate or write, so a malformed or hostile agent
 * (a label bomb, a decompression bomb, a length prefix of 2^60) is refused before it costs much.
 * docs/integrations/README.md lists them; test/integrations/limits-doc.test.ts keeps it in step.
 */

/** Decoded (decompressed) body bytes: 4x BODY_BYTES_MAX covers snappy/gzip's typical log ratios. */
export const INGEST_DECODED_BYTES_MAX = 16 * 1024 * 1024;

/** Entries (Loki lines, OTLP records) per request: written as up to 10 consensus rounds. */
export const INGEST_ENTRIES_MAX = 10_000;

/** Loki streams per push: each stream is a label set to parse and map. */
export const LOKI_STREAMS_MAX = 1_000;

/** Label pairs parsed per Loki stream before the push is refused (Loki's own default is 15). */
export const LOKI_STREAM_LABELS_MAX = 64;

/** Structured-metadata pairs per Loki line. */
export const LOKI_METADATA_PAIRS_MAX = 64;

/** Attributes per OTLP resource, scope or record (the SDKs' default attribute count limit is 128). */
export const OTLP_ATTRIBUTES_MAX = 128;

/** Nesting of OTLP AnyValue (arrays, kvlists): deeper bodies could not be stored anyway. */
export const OTLP_VALUE_DEPTH_MAX = 8;

/** Elements of one OTLP array or kvlist value. */
export const OTLP_VALUE_ITEMS_MAX = 1_024;

/** Nested protobuf messages: the deepest message involved (an AnyValue inside a record) is well within. */
export const PROTOBUF_DEPTH_MAX = 32;

/** One syslog frame (octet-counted or a line): RFC 5425 receivers must take 2 KiB; rsyslog sends up to 8 KiB by default. */
export const SYSLOG_FRAME_BYTES_MAX = 131_072;

/** Concurrent syslog TCP connections: each holds a socket and a frame buffer. */
export const SYSLOG_CONNECTIONS_MAX = 256;

/** Parsed syslog messages waiting to be written: past this, TCP senders are paused and UDP datagrams dropped. */
export const SYSLOG_PENDING_MAX = 10_000;

/** How long the syslog listener gathers messages into one batch (one consensus round). */
export const SYSLOG_FLUSH_INTERVAL_MS = 20;

/** Longest pause between retries of a syslog batch that the cluster could not take. */
export const SYSLOG_RETRY_DELAY_MS_MAX = 2_000;
