/**
 * What the protocol mappers (Loki, OTLP, syslog) produce: an entry as a client would POST it to
 * /write, plus where it came from in the request, so a refusal names the stream/record at fault.
 */

import { LogClusterError } from '../errors.js';

/** One mapped entry, not validated yet. */
export interface IngestItem {
  /** The entry's fields (message, level, source, timestamp, labels, id, extra fields). */
  readonly raw: Record<string, unknown>;
  /** Where it was in the request, e.g. `streams[2].values[7]`; prefixes refusal messages. */
  readonly where: string;
  /** Hints for the error body, e.g. `{ stream: 2, line: 7 }`. */
  readonly hints: Readonly<Record<string, number>>;
}

/** Refuses a request holding more than `max` entries (413 BATCH_TOO_LARGE), before they are mapped. */
export function checkEntryCount(count: number, max: number): void {
  if (count > max) {
    throw new LogClusterError(
      'BATCH_TOO_LARGE',
      `The request holds more than ${max} log entries; send smaller batches`,
      { limit: max },
    );
  }
}

/** The first string among `keys` of a JSON object (protojson accepts camelCase and snake_case). */
export function field(object: Record<string, unknown>, ...keys: string[]): unknown {
  for (const key of keys) if (object[key] !== undefined && object[key] !== null) return object[key];
  return undefined;
}

/** True for a plain JSON object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
