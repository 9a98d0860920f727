/**
 * Timestamps as clients send them: ISO-8601 / RFC 3339 text or epoch milliseconds. Parsed by hand
 * rather than with Date.parse, which accepts "2024-02-30" (as March 1st) and reads a time without
 * an offset in the server's local zone: here a missing offset means UTC, on every node alike.
 */

import { TIMESTAMP_MS_MAX } from './limits.js';

const ISO_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?)?$/;
const DIGITS_PATTERN = /^\d{1,15}$/;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Epoch ms of an ISO-8601 string (UTC when it names no offset), or undefined when it is not one. */
export function parseIsoMs(text: string): number | undefined {
  const m = ISO_PATTERN.exec(text);
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1]) return undefined;
  if (month === 2 && day === 29 && !isLeapYear(year)) return undefined;
  if (minute > 59 || second > 59) return undefined;
  if (hour > 24 || (hour === 24 && (minute !== 0 || second !== 0 || ms !== 0))) return undefined;
  let offsetMinutes = 0;
  if (m[9] !== undefined) {
    const offsetHours = Number(m[10]);
    const offsetMins = m[11] === undefined ? 0 : Number(m[11]);
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime() - offsetMinutes * 60_000;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * Epoch ms of a client timestamp: an ISO-8601 string, a number of epoch ms (fractions truncated), a
 * string of digits meaning the same, or a Date (library callers). Undefined when it is none of these or falls outside
 * [1970-01-01, 9999-12-31].
 */
export function parseTimestampMs(value: unknown): number | undefined {
  let ms: number | undefined;
  if (typeof value === 'number') ms = Number.isFinite(value) ? Math.trunc(value) : undefined;
  else if (value instanceof Date) ms = Number.isNaN(value.getTime()) ? undefined : value.getTime();
  else if (typeof value === 'string') ms = DIGITS_PATTERN.test(value) ? Number(value) : parseIsoMs(value);
  if (ms === undefined || ms < 0 || ms > TIMESTAMP_MS_MAX) return undefined;
  return ms;
}
