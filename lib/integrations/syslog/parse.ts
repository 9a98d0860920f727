/**
 * Syslog message parsing: RFC 5424 (`<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG`) and the
 * BSD format of RFC 3164 (`<PRI>Mmm dd hh:mm:ss HOST TAG[PID]: MSG`, also with an RFC 3339
 * timestamp as rsyslog may send). A message without a valid PRI (`<0>` to `<191>`) is not syslog
 * and is refused with the reason; anything after a valid PRI is accepted, as receivers must be
 * lenient with BSD senders.
 */

import { parseIsoMs } from '../../node/entries/timestamp.js';

/** One parsed message. Absent header fields are undefined (RFC 5424's `-`). */
export interface SyslogMessage {
  readonly format: 'rfc5424' | 'rfc3164';
  readonly facility: number;
  readonly severity: number;
  readonly timestampMs?: number;
  readonly hostname?: string;
  readonly appName?: string;
  readonly procId?: string;
  readonly msgId?: string;
  /** RFC 5424 structured data: SD-ID -> params. */
  readonly structuredData?: Record<string, Record<string, string>>;
  readonly message: string;
}

/** A parse result: the message, or why the text is not syslog. */
export type SyslogParse =
  | { readonly ok: true; readonly message: SyslogMessage }
  | { readonly ok: false; readonly reason: string };

const PRI = /^<(\d{1,3})>/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const BSD_TIME = /^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([ 0-3]?\d) (\d\d):(\d\d):(\d\d) /;
const ISO_TOKEN = /^(\d{4}-\d\d-\d\dT\S+) /;
const TAG = /^([^\s:[\]]{1,48})(?:\[([^\]\s]{1,128})\])?: ?/;

/** Parses one message; `nowMs` dates BSD timestamps, which carry no year. */
export function parseSyslog(text: string, nowMs: number): SyslogParse {
  const pri = PRI.exec(text);
  if (pri === null) return { ok: false, reason: 'no <PRI> header' };
  const value = Number(pri[1]);
  if (value > 191 || (pri[1].length > 1 && pri[1][0] === '0'))
    return { ok: false, reason: `invalid PRI <${pri[1]}>` };
  const rest = text.slice(pri[0].length);
  const facility = value >> 3;
  const severity = value & 7;
  const v5424 = /^[1-9]\d? /.exec(rest);
  if (v5424 !== null) {
    const parsed = parse5424(rest.slice(v5424[0].length), facility, severity);
    if (parsed !== null) return { ok: true, message: parsed };
  }
  return { ok: true, message: parse3164(rest, facility, severity, nowMs) };
}

function nil(token: string): string | undefined {
  return token === '-' || token === '' ? undefined : token;
}

function parse5424(text: string, facility: number, severity: number): SyslogMessage | null {
  const header = /^(\S+) (\S+) (\S+) (\S+) (\S+) /.exec(text);
  if (header === null) return null;
  const [, time, hostname, appName, procId, msgId] = header;
  let timestampMs: number | undefined;
  if (time !== '-') {
    timestampMs = parseIsoMs(time);
    if (timestampMs === undefined) return null;
  }
  let i = header[0].length;
  let structuredData: Record<string, Record<string, string>> | undefined;
  if (text[i] === '-') i++;
  else {
    const sd = parseStructuredData(text, i);
    if (sd === null) return null;
    structuredData = sd.data;
    i = sd.end;
  }
  let message = text[i] === ' ' ? text.slice(i + 1) : text.slice(i);
  if (message.charCodeAt(0) === 0xfeff) message = message.slice(1);
  return {
    format: 'rfc5424',
    facility,
    severity,
    timestampMs,
    hostname: nil(hostname),
    appName: nil(appName),
    procId: nil(procId),
    msgId: nil(msgId),
    structuredData,
    message,
  };
}

/** `[id k="v" ...][id2 ...]` from `start`; null when malformed. */
function parseStructuredData(
  text: string,
  start: number,
): { data: Record<string, Record<string, string>>; end: number } | null {
  const data: Record<string, Record<string, string>> = {};
  let i = start;
  if (text[i] !== '[') return null;
  while (text[i] === '[') {
    const id = /^[^\s=\]"]{1,32}/.exec(text.slice(i + 1, i + 34));
    if (id === null) return null;
    const params: Record<string, string> = {};
    i += 1 + id[0].length;
    while (text[i] === ' ') {
      const name = /^([^\s=\]"]{1,32})="/.exec(text.slice(i + 1, i + 36));
      if (name === null) return null;
      i += 1 + name[0].length;
      let value = '';
      for (; ; i++) {
        if (i >= text.length) return null;
        const c = text[i];
        if (c === '"') break;
        if (c === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\' || text[i + 1] === ']'))
          value += text[++i];
        else value += c;
      }
      i++;
      if (name[1] !== '__proto__') params[name[1]] = value;
    }
    if (text[i] !== ']') return null;
    i++;
    if (id[0] !== '__proto__') data[id[0]] = params;
  }
  return { data, end: i };
}

function parse3164(text: string, facility: number, severity: number, nowMs: number): SyslogMessage {
  let rest = text;
  let timestampMs: number | undefined;
  let hostname: string | undefined;
  const bsd = BSD_TIME.exec(rest);
  const iso = bsd === null ? ISO_TOKEN.exec(rest) : null;
  if (bsd !== null) {
    timestampMs = bsdTime(bsd, nowMs);
    rest = rest.slice(bsd[0].length);
  } else if (iso !== null && parseIsoMs(iso[1]) !== undefined) {
    timestampMs = parseIsoMs(iso[1]);
    rest = rest.slice(iso[0].length);
  }
  if (timestampMs !== undefined) {
    const host = /^([^\s:[\]]+) /.exec(rest);
    // "host tag: msg" has a hostname; "tag: msg" right after the time does not.
    if (host !== null && !/:$/.test(host[1])) {
      hostname = host[1];
      rest = rest.slice(host[0].length);
    }
  }
  const tag = TAG.exec(rest);
  return {
    format: 'rfc3164',
    facility,
    severity,
    timestampMs,
    hostname,
    appName: tag?.[1],
    procId: tag?.[2],
    message: tag === null ? rest : rest.slice(tag[0].length),
  };
}

/** A BSD timestamp in this node's time zone, in the year that puts it at most a day ahead of now. */
function bsdTime(m: RegExpExecArray, nowMs: number): number | undefined {
  const month = MONTHS.indexOf(m[1]);
  const day = Number(m[2].trim());
  const [hour, minute, second] = [Number(m[3]), Number(m[4]), Number(m[5])];
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  const year = new Date(nowMs).getFullYear();
  const at = (y: number): number => new Date(y, month, day, hour, minute, Math.min(second, 59)).getTime();
  const ms = at(year);
  return ms > nowMs + 86_400_000 ? at(year - 1) : ms;
}
