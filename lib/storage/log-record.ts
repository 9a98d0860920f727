/** One log record. `type` is an opaque byte to storage (Raft uses 0 normal, 1 noop, 2 config). */
export interface LogRecord {
  readonly index: number;
  readonly term: number;
  readonly type: number;
  readonly payload: Uint8Array;
}
