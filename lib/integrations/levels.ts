/**
 * Level names and numbers of other logging systems, mapped onto logcluster's six levels
 * (trace, debug, info, warn, error, fatal). docs/integrations/ lists the same tables.
 */

import type { Level } from '../node/entries/levels.js';

const NAMES: Readonly<Record<string, Level>> = {
  trace: 'trace',
  silly: 'trace',
  debug: 'debug',
  dbg: 'debug',
  verbose: 'debug',
  info: 'info',
  information: 'info',
  informational: 'info',
  notice: 'info',
  http: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  err: 'error',
  fatal: 'fatal',
  critical: 'fatal',
  crit: 'fatal',
  alert: 'fatal',
  emerg: 'fatal',
  emergency: 'fatal',
  panic: 'fatal',
};

/** A level from a name used by Loki, winston (npm and syslog levels), pino, OTLP severity text or syslog; case-insensitive. */
export function levelFromName(name: string): Level | undefined {
  const key = name.trim().toLowerCase();
  return Object.hasOwn(NAMES, key) ? NAMES[key] : undefined;
}

/** pino's numeric levels: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal; custom numbers round down. */
export function levelFromPino(level: number): Level {
  if (level >= 60) return 'fatal';
  if (level >= 50) return 'error';
  if (level >= 40) return 'warn';
  if (level >= 30) return 'info';
  if (level >= 20) return 'debug';
  return 'trace';
}

/** OTLP SeverityNumber ranges (1-4 TRACE ... 21-24 FATAL); 0 (unspecified) or out of range: undefined. */
export function levelFromOtlpSeverity(severity: number): Level | undefined {
  if (!Number.isInteger(severity) || severity < 1 || severity > 24) return undefined;
  return (['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const)[Math.floor((severity - 1) / 4)];
}

/** Syslog severities 0-7: emerg, alert and crit are fatal, err error, warning warn, notice and info info, debug debug. */
export function levelFromSyslogSeverity(severity: number): Level {
  if (severity <= 2) return 'fatal';
  if (severity === 3) return 'error';
  if (severity === 4) return 'warn';
  if (severity <= 6) return 'info';
  return 'debug';
}

/** Syslog severity names by number (RFC 5424 table 2), kept as a label. */
export const SYSLOG_SEVERITIES = [
  'emerg',
  'alert',
  'crit',
  'err',
  'warning',
  'notice',
  'info',
  'debug',
] as const;
