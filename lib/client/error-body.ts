/**
 * Turns a node's error reply into a typed LogClusterError. The stable `code` of the JSON error
 * body (API.md) decides the error; hints such as leader_id and leader_url are kept in `details`.
 */
import { ERRORS, type ErrorCode, LogClusterError } from '../errors.js';

/** Characters of a non-JSON reply kept in the error, enough to recognize a proxy's page. */
const SNIPPET_CHARS_MAX = 200;

/** The parsed JSON object of a body, or null when it is not one. */
export function parseJsonObject(body: Buffer | string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(body.toString());
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/**
 * The error a reply with HTTP `status` and `body` stands for. A registry code gives that code;
 * an unknown code gives INTERNAL with `original_code`; a body that is not the API's JSON gives
 * UNAVAILABLE (503), OVERLOADED (429) or INTERNAL by status.
 */
export function errorFromReply(status: number, body: Buffer | string, origin: string): LogClusterError {
  const json = parseJsonObject(body);
  if (json !== null && typeof json.code === 'string') {
    const { success: _success, error, code, ...hints } = json;
    const message = typeof error === 'string' ? error : undefined;
    if (Object.hasOwn(ERRORS, code)) {
      return new LogClusterError(code as ErrorCode, message, { ...hints, status, url: origin });
    }
    return new LogClusterError('INTERNAL', message ?? `The node answered with unknown code ${code}`, {
      ...hints,
      original_code: code,
      status,
      url: origin,
    });
  }
  const snippet = body.toString().slice(0, SNIPPET_CHARS_MAX);
  const details = { status, url: origin, body: snippet };
  if (status === 503) return new LogClusterError('UNAVAILABLE', `${origin} answered 503`, details);
  if (status === 429) return new LogClusterError('OVERLOADED', `${origin} answered 429`, details);
  return new LogClusterError('INTERNAL', `${origin} answered HTTP ${status} without an error code`, details);
}
