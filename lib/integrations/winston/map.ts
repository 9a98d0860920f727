/**
 * One winston `info` object to a logcluster entry: the uncolorized level (info[Symbol.for('level')])
 * maps npm levels (error, warn, info, http, verbose, debug, silly) and syslog levels by name,
 * `message` is the message (non-strings JSON-encoded), `timestamp` (format.timestamp()) the
 * timestamp when it parses, else the time of the call; the source is the `source` option, else
 * the `service` metadata (winston's defaultMeta convention), else `winston`. Other metadata is
 * kept: scalars as labels while they fit, the rest under `fields`.
 */

import type { LogEntryInput } from '../../client/types.js';
import { parseTimestampMs } from '../../node/entries/timestamp.js';
import { levelFromName } from '../levels.js';
import { boundedJson, fitEntry } from '../shipping/fit-entry.js';
import type { ResolvedShipperOptions } from '../shipping/options.js';
import { LogShipper } from '../shipping/shipper.js';

/** Source of entries when neither the `source` option nor `service` metadata gives one. */
export const WINSTON_SOURCE_DEFAULT = 'winston';

const LEVEL = Symbol.for('level');

/** The entry for one info object. */
export function fromWinston(
  info: Record<string | symbol, unknown>,
  options: ResolvedShipperOptions,
): LogEntryInput {
  const {
    level: shownLevel,
    message: rawMessage,
    timestamp: rawTimestamp,
    ...data
  } = info as Record<string, unknown>;
  const name = typeof info[LEVEL] === 'string' ? (info[LEVEL] as string) : String(shownLevel ?? 'info');
  const message =
    typeof rawMessage === 'string' ? rawMessage : (JSON.stringify(boundedJson(rawMessage)) ?? '');
  let timestamp: number | string = Date.now();
  if (
    (typeof rawTimestamp === 'string' || typeof rawTimestamp === 'number') &&
    parseTimestampMs(rawTimestamp) !== undefined
  ) {
    timestamp = rawTimestamp;
  } else if (rawTimestamp !== undefined) data.timestamp_text = String(rawTimestamp);
  const service = typeof data.service === 'string' && data.service !== '' ? data.service : undefined;
  return fitEntry({
    id: LogShipper.newId(),
    message,
    level: levelFromName(name) ?? 'info',
    source: options.source ?? service ?? WINSTON_SOURCE_DEFAULT,
    timestamp,
    staticLabels: options.labels,
    data,
  });
}
