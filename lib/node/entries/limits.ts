/**
 * Bounds on what a client may write. Every one is part of the API contract (docs/api.md) and is
 * checked when the entry is accepted, so nothing oversized ever reaches the replicated log.
 */

/** A message's UTF-8 size: room for a long stack trace, small enough that a batch stays one round. */
export const MESSAGE_BYTES_MAX = 65_536;

/** The whole canonical `original_data` (message, labels, unknown fields): one Raft entry stays small. */
export const ENTRY_BYTES_MAX = 131_072;

/** `source` is an index key (one posting list per source): short names only. */
export const SOURCE_BYTES_MAX = 256;

/** Labels per entry: each is a posting-list key; logs are not a document store. */
export const LABELS_MAX = 32;

/** A label key's UTF-8 size. */
export const LABEL_KEY_BYTES_MAX = 64;

/** A label value's UTF-8 size. */
export const LABEL_VALUE_BYTES_MAX = 256;

/** A client id's size: a UUID, ULID or "order-42:retry" style key fits with room to spare. */
export const ID_BYTES_MAX = 128;

/** Entries in one POST /write: one consensus round, bounded so a batch cannot stall the log. */
export const BATCH_ENTRIES_MAX = 1_000;

/** Nesting depth of unknown fields: deeper values would overflow the stack of JSON.stringify on read. */
export const ORIGINAL_DATA_DEPTH_MAX = 16;

/** Latest accepted timestamp (9999-12-31T23:59:59.999Z): ISO-8601 strings have four-digit years. */
export const TIMESTAMP_MS_MAX = 253_402_300_799_999;
