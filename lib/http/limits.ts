/**
 * Bounds of the HTTP layer: every request, stream and timeout is limited by one of these, and
 * docs/api.md lists them.
 */

/** A POST /write body: a full batch of typical entries fits; parsing it stays a few ms. */
export const BODY_BYTES_MAX = 4 * 1024 * 1024;

/** Request line + headers: generous for tokens and proxies, small enough to refuse floods. */
export const HEADER_BYTES_MAX = 16 * 1024;

/** Time to receive all headers: defeats slowloris clients. */
export const HEADERS_TIMEOUT_MS = 10_000;

/** Time to receive a whole request (headers and body); streams' responses are not bounded by it. */
export const REQUEST_TIMEOUT_MS = 30_000;

/** An idle keep-alive connection is closed after this. */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;

/** Concurrent /logs/stream responses: each holds a socket, a buffer and a subscription. */
export const STREAMS_MAX = 64;

/** Unsent bytes a stream may queue for a slow consumer before it is cut off (it can resume). */
export const SSE_BUFFER_BYTES_MAX = 1024 * 1024;

/** A comment line this often keeps proxies from closing an idle stream and detects dead peers. */
export const SSE_HEARTBEAT_MS = 5_000;

/** The reconnection delay a stream tells EventSource clients to use. */
export const SSE_RETRY_MS = 1_000;

/** Entries per page while a stream replays from its cursor. */
export const SSE_PAGE_ENTRIES = 500;

/** The `contains` query parameter: a needle, not a document. */
export const CONTAINS_BYTES_MAX = 1_024;

/** After a refused body, read and discard the rest this long so the client sees the reply. */
export const LINGER_MS = 1_000;

/** close() waits this long for in-flight requests before cutting connections. */
export const CLOSE_GRACE_MS = 2_000;
