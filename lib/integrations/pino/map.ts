/**
 * One pino record (the parsed JSON line) to a logcluster entry: `msg` (or the configured message
 * key) is the message, the numeric level maps by pino's ranges (a custom level's name is read as
 * a level name first), `time` is the timestamp, `name` the default source; every other field
 * (pid, hostname, bindings, the merging object, `err`) is kept: scalars as labels while they
 * fit, the rest under `fields`.
 */

import type { LogEntryInput } from '../../client/types.js';
import { parseTimestampMs } from '../../node/entries/timestamp.js';
import { levelFromName, levelFromPino } from '../levels.js';
import { boundedJson, fitEntry } from '../shipping/fit-entry.js';
import type { ResolvedShipperOptions } from '../shipping/options.js';
import { LogShipper } from '../shipping/shipper.js';

/** Source of records when neither the `source` option nor the logger's `name` gives one. */
export const PINO_SOURCE_DEFAULT = 'pino';

/** What pino told the transport about its configuration (pino.transport sends it). */
export interface PinoConfig {
  readonly messageKey?: string;
  readonly errorKey?: string;
  /** pino's level table: `labels` maps numbers to names. */
  readonly levels?: { readonly labels?: Readonly<Record<string, string>> };
}

function level(value: unknown, config: PinoConfig): string {
  if (typeof value === 'number') {
    const name = config.levels?.labels?.[String(value)];
    return (name === undefined ? undefined : levelFromName(name)) ?? levelFromPino(value);
  }
  return (typeof value === 'string' ? levelFromName(value) : undefined) ?? 'info';
}

/** The entry for one record. */
export function fromPino(
  record: Record<string, unknown>,
  options: ResolvedShipperOptions,
  config: PinoConfig = {},
): LogEntryInput {
  const messageKey = config.messageKey ?? 'msg';
  const { [messageKey]: msg, level: rawLevel, time, ...data } = record;
  let message: string;
  if (typeof msg === 'string') message = msg;
  else if (msg !== undefined) message = JSON.stringify(boundedJson(msg));
  else {
    const err = data[config.errorKey ?? 'err'] as { message?: unknown } | undefined;
    message = typeof err?.message === 'string' ? err.message : JSON.stringify(boundedJson(data));
  }
  const timestamp =
    (typeof time === 'number' || typeof time === 'string') && parseTimestampMs(time) !== undefined
      ? time
      : undefined;
  const name = typeof data.name === 'string' && data.name !== '' ? data.name : undefined;
  return fitEntry({
    id: LogShipper.newId(),
    message,
    level: level(rawLevel, config),
    source: options.source ?? name ?? PINO_SOURCE_DEFAULT,
    ...(timestamp === undefined ? {} : { timestamp }),
    staticLabels: options.labels,
    data,
  });
}
