/**
 * Parses the label-set text of Loki's protobuf streams, `{job="api", env="prod"}` (Prometheus
 * syntax with Go string escapes), into pairs. Bounded by LOKI_STREAM_LABELS_MAX; anything that is
 * not that syntax throws INVALID_ENTRY naming the stream.
 */

import { LogClusterError } from '../../errors.js';
import { LOKI_STREAM_LABELS_MAX } from '../limits.js';

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  '"': '"',
  "'": "'",
};

/** The pairs of one label-set text, in order; `field` names it in errors (e.g. `streams[3].labels`). */
export function parseLabelsText(text: string, field: string): Array<[string, string]> {
  const fail = (why: string, at: number): LogClusterError =>
    new LogClusterError('INVALID_ENTRY', `${field}: ${why} at character ${at} of the label set`, { field });
  const pairs: Array<[string, string]> = [];
  let i = skipSpace(text, 0);
  if (text[i] !== '{') throw fail('expected "{"', i);
  i = skipSpace(text, i + 1);
  if (text[i] === '}') return endOf(text, i + 1, pairs, fail);
  for (;;) {
    NAME.lastIndex = i;
    const name = NAME.exec(text);
    if (name === null) throw fail('expected a label name', i);
    i = skipSpace(text, i + name[0].length);
    if (text[i] !== '=') throw fail('expected "="', i);
    i = skipSpace(text, i + 1);
    if (text[i] !== '"') throw fail('expected a quoted value', i);
    let value = '';
    for (i++; ; i++) {
      if (i >= text.length) throw fail('unterminated value', i);
      const c = text[i];
      if (c === '"') break;
      if (c !== '\\') {
        value += c;
        continue;
      }
      const e = text[++i];
      if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) {
        value += String.fromCharCode(Number.parseInt(text.slice(i + 1, i + 5), 16));
        i += 4;
      } else if (e !== undefined && Object.hasOwn(ESCAPES, e)) value += ESCAPES[e];
      else throw fail('invalid escape', i);
    }
    if (pairs.length >= LOKI_STREAM_LABELS_MAX) {
      throw new LogClusterError(
        'INVALID_ENTRY',
        `${field}: a stream has more than ${LOKI_STREAM_LABELS_MAX} labels`,
        { field, limit: LOKI_STREAM_LABELS_MAX },
      );
    }
    pairs.push([name[0], value]);
    i = skipSpace(text, i + 1);
    if (text[i] === ',') {
      i = skipSpace(text, i + 1);
      if (text[i] === '}') return endOf(text, i + 1, pairs, fail);
      continue;
    }
    if (text[i] === '}') return endOf(text, i + 1, pairs, fail);
    throw fail('expected "," or "}"', i);
  }
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n')) i++;
  return i;
}

function endOf(
  text: string,
  i: number,
  pairs: Array<[string, string]>,
  fail: (why: string, at: number) => LogClusterError,
): Array<[string, string]> {
  if (skipSpace(text, i) !== text.length) throw fail('unexpected text after "}"', i);
  return pairs;
}
