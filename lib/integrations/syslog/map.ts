/**
 * A parsed syslog message to a logcluster entry: severity -> level (levelFromSyslogSeverity),
 * APP-NAME (RFC 5424) or TAG (RFC 3164) -> source (else `syslog`), facility and severity names,
 * hostname, procid and msgid -> labels, RFC 5424 structured data -> labels `sd.<id>.<param>`
 * (while they fit) and the `structured_data` field. Messages are cut to MESSAGE_BYTES_MAX.
 */

import { randomUUID } from 'node:crypto';
import { MESSAGE_BYTES_MAX } from '../../node/entries/limits.js';
import { LabelSet, truncateUtf8 } from '../labels.js';
import { levelFromSyslogSeverity, SYSLOG_SEVERITIES } from '../levels.js';
import type { SyslogMessage } from './parse.js';

/** Facility names by number (RFC 5424 table 1, with the names rsyslog uses). */
export const SYSLOG_FACILITIES = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'authpriv',
  'ftp',
  'ntp',
  'security',
  'console',
  'solaris-cron',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
];

/** Source of messages that name no app. */
export const SYSLOG_SOURCE_DEFAULT = 'syslog';
/** Message of a syslog message without text (a message is required). */
export const SYSLOG_EMPTY_MESSAGE = '(empty message)';

/** The entry for one message; ids are fresh UUIDs (syslog has no retries of its own to dedup). */
export function fromSyslog(message: SyslogMessage): Record<string, unknown> {
  const labels = new LabelSet();
  labels.add('facility', SYSLOG_FACILITIES[message.facility] ?? String(message.facility));
  labels.add('severity', SYSLOG_SEVERITIES[message.severity]);
  if (message.hostname !== undefined) labels.add('hostname', message.hostname);
  if (message.procId !== undefined) labels.add('procid', message.procId);
  if (message.msgId !== undefined) labels.add('msgid', message.msgId);
  for (const [id, params] of Object.entries(message.structuredData ?? {})) {
    for (const [name, value] of Object.entries(params)) labels.add(`sd.${id}.${name}`, value);
  }
  const text = message.message.replace(/[\r\n\0]+$/, '');
  const cut = truncateUtf8(text, MESSAGE_BYTES_MAX);
  const entry: Record<string, unknown> = {
    id: randomUUID(),
    message: cut.trim() === '' ? SYSLOG_EMPTY_MESSAGE : cut,
    level: levelFromSyslogSeverity(message.severity),
    source: message.appName ?? SYSLOG_SOURCE_DEFAULT,
    labels: labels.result(),
    syslog_format: message.format,
  };
  if (cut !== text) entry.message_truncated = true;
  if (message.timestampMs !== undefined) entry.timestamp = message.timestampMs;
  if (message.structuredData !== undefined) entry.structured_data = message.structuredData;
  if (labels.dropped > 0) entry.dropped_labels = labels.dropped;
  return entry;
}
