/**
 * What an append must satisfy. Contract violations by the caller (a gap in indexes, a term going
 * backwards, a type that is not a byte) are assertions; sizes beyond the bounds are expected
 * refusals (ENTRY_TOO_LARGE, BATCH_TOO_LARGE) the caller can report.
 */
import { assert } from '../assert.js';
import { LogClusterError } from '../errors.js';
import { BATCH_BYTES_MAX, BATCH_RECORDS_MAX, RECORD_BYTES_MAX } from './limits.js';
import type { LogRecord } from './log-record.js';

/** Checks `records` as the continuation of a log ending at `lastIndex` with `lastTerm`; null when fine. */
export function checkBatch(
  records: readonly LogRecord[],
  lastIndex: number,
  lastTerm: number,
): LogClusterError | null {
  if (records.length > BATCH_RECORDS_MAX) {
    return new LogClusterError('BATCH_TOO_LARGE', `an append holds at most ${BATCH_RECORDS_MAX} records`);
  }
  let bytes = 0;
  let term = lastTerm;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    assert(r.index === lastIndex + 1 + i, 'appended indexes continue lastIndex + 1 contiguously');
    assert(Number.isSafeInteger(r.term) && r.term >= term, 'terms are integers and never decrease');
    assert(r.type === (r.type & 0xff), 'a record type is one byte');
    term = r.term;
    if (r.payload.length > RECORD_BYTES_MAX) {
      return new LogClusterError('ENTRY_TOO_LARGE', `record ${r.index} exceeds ${RECORD_BYTES_MAX} bytes`, {
        index: r.index,
      });
    }
    bytes += r.payload.length;
  }
  if (bytes > BATCH_BYTES_MAX) {
    return new LogClusterError('BATCH_TOO_LARGE', `an append holds at most ${BATCH_BYTES_MAX} payload bytes`);
  }
  return null;
}
