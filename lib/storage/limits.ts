/**
 * Every bound of the storage engine, with the reason for its size. Options may lower some of
 * them (tests use tiny segments so rolls happen); none of these may be exceeded.
 */

/** Bytes of a record's frame before its payload: length 4, CRC 4, index 8, term 8, type 1. */
export const RECORD_HEADER_BYTES = 25;

/** Largest payload of one record: 1 MiB keeps a record far below a segment and a read buffer. */
export const RECORD_BYTES_MAX = 1024 * 1024;

/** Most records in one append call: bounds the synchronous work one call does on the event loop. */
export const BATCH_RECORDS_MAX = 16_384;

/** Most payload bytes in one append call (16 MiB): bounds memory held by one call. */
export const BATCH_BYTES_MAX = 16 * 1024 * 1024;

/** A segment rolls once it would grow past this (64 MiB): deletion granularity vs. file count. */
export const SEGMENT_BYTES_MAX = 64 * 1024 * 1024;

/** Hard cap on segmentBytesMax: index files store in-segment offsets as 32-bit numbers. */
export const SEGMENT_BYTES_LIMIT = 2 ** 32 - RECORD_BYTES_MAX - RECORD_HEADER_BYTES - 1;

/** One sparse index entry per 4 KiB of segment: a read scans at most ~4 KiB past its entry. */
export const SPARSE_INDEX_INTERVAL_BYTES = 4096;

/** Recently appended records kept in memory: the consensus core re-reads the tail constantly. */
export const TAIL_CACHE_RECORDS_MAX = 8192;

/** Payload bytes the tail cache may hold (8 MiB), whichever bound is hit first. */
export const TAIL_CACHE_BYTES_MAX = 8 * 1024 * 1024;

/**
 * Zeros written ahead of the appends when they grow a segment file that did not come from the
 * spare (the first segment, or a roll before the spare was ready), 256 KiB at a time: one round in
 * each step's worth of appends commits a new file size and flushes the zeros (a short flush, as
 * SPARE_STEP_BYTES), the others overwrite written blocks and flush data only. Measured on ext4
 * here (460-byte appends): fdatasync 0.11 vs 0.20 ms and 59 vs 105 µs of CPU.
 */
export const ZERO_AHEAD_BYTES = 256 * 1024;

/** Sealed segment files kept open for reads; the least recently read are closed beyond this. */
export const OPEN_SEGMENTS_MAX = 64;

/** Framing buffer (1 MiB): appends are framed here and written with one write per group. */
export const WRITE_BUFFER_BYTES = 1024 * 1024;

/** Read-ahead of sequential reads and scans (256 KiB): few syscalls, small memory. */
export const READ_CHUNK_BYTES = 256 * 1024;

/**
 * Largest group (framed bytes) a sync round may write and fdatasync on the event loop itself when
 * no other round runs (16 KiB, ~60 small entries): such a flush costs the disk's latency either
 * way, and done inline it skips the thread pool's two context switches; bigger groups come with
 * load, when overlapping the flush with framing the next group is worth more.
 */
export const INLINE_SYNC_BYTES_MAX = 16 * 1024;

/**
 * The inline bound while leading (1 KiB: a group of one to three small writes, as one client
 * makes): a leader's event loop has requests to parse and acks to read during a flush, so larger
 * groups go to the thread pool. Measured (3-node bench, 1 client): the leader's voluntary context
 * switches per write 6.8 -> 4.7; at 16 clients, no change in rate or switches.
 */
export const LEADER_INLINE_SYNC_BYTES_MAX = 1024;

/**
 * An inline flush slower than this (2 ms, about ten times a quiet disk's) means the disk is busy;
 * the log then flushes on the thread pool for INLINE_SYNC_COOLDOWN_MS. A replica blocked in slow
 * flushes answers no heartbeat, and on a shared disk every replica stalls at once: the leader's
 * CheckQuorum would step it down (seen once in a batched-write benchmark).
 */
export const INLINE_SYNC_SLOW_MS = 2;

/** How long the log keeps small flushes off the event loop after a slow one. */
export const INLINE_SYNC_COOLDOWN_MS = 1_000;
