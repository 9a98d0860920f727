/**
 * Which failed write attempts DEFINITELY stored nothing. The rule is conservative: only codes the
 * node returns before proposing (or after the entry's index was taken by another entry) count
 * as `fail`; everything else — timeouts, lost connections, OUTCOME_UNKNOWN, disk errors — is
 * `unknown`, because the entry may still commit. A conservative rule can only hide an anomaly,
 * never invent one.
 */
import { isLogClusterError } from '../../lib/index.js';
import type { Outcome } from './history.js';

/** Codes that mean "this attempt stored nothing" (docs/api.md, lib/node). */
export const DEFINITE_FAILURE_CODES: ReadonlySet<string> = new Set([
  'NOT_LEADER', // not the leader when proposing, or another entry committed at its index
  'NO_LEADER',
  'OVERLOADED',
  'TRANSFER_IN_PROGRESS',
  'SHUTTING_DOWN', // refused before proposing (a stop after proposing answers OUTCOME_UNKNOWN)
  'INVALID_JSON',
  'INVALID_ENTRY',
  'INVALID_QUERY',
  'EMPTY_BATCH',
  'BODY_TOO_LARGE',
  'BATCH_TOO_LARGE',
  'ENTRY_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'UNAUTHORIZED',
]);

/** The error code of anything a client call threw (`UNKNOWN_ERROR` for non-LogClusterErrors). */
export function codeOf(error: unknown): string {
  return isLogClusterError(error) ? error.code : 'UNKNOWN_ERROR';
}

/** True when the request never reached a node (connection refused: nothing was sent). */
function refused(error: unknown): boolean {
  return isLogClusterError(error) && error.code === 'UNAVAILABLE' && /ECONNREFUSED/.test(error.message);
}

/** The outcome of one failed write attempt. */
export function writeFailure(error: unknown): Outcome {
  if (refused(error)) return 'fail';
  return DEFINITE_FAILURE_CODES.has(codeOf(error)) ? 'fail' : 'unknown';
}

/** The outcome of one failed read: a timeout may have been served later; the rest failed. */
export function readFailure(error: unknown): Outcome {
  const code = codeOf(error);
  return code === 'TIMEOUT' ? 'unknown' : 'fail';
}

/** True when the node answered 500 (INTERNAL, or any code with HTTP 500): always a bug here. */
export function isInternal(error: unknown): boolean {
  if (!isLogClusterError(error)) return true;
  return error.code === 'INTERNAL' || error.details.status === 500;
}
