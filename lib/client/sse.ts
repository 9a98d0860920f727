/**
 * A Server-Sent Events reader (the WHATWG event-stream format): splits a byte stream into events
 * of `id`, `event` and `data` fields. Lines are bounded, so a stream without newlines cannot grow
 * memory without limit.
 */
import { StringDecoder } from 'node:string_decoder';
import { LogClusterError } from '../errors.js';

/** Longest SSE line or event data accepted (characters): an entry's JSON (bounded by the node) with ample room. */
export const SSE_EVENT_CHARS_MAX = 8 * 1024 * 1024;

/** One dispatched event. `id` is the last id seen on the stream (it persists across events). */
export interface SseEvent {
  readonly id: string | null;
  readonly event: string;
  readonly data: string;
}

/** Yields the events of `source` until it ends. Comments and `retry:` lines are ignored. */
export async function* readEvents(source: AsyncIterable<Buffer | string>): AsyncGenerator<SseEvent> {
  let pending = '';
  let lastId: string | null = null;
  let event = '';
  let data: string[] = [];
  let dataChars = 0;
  // A decoder, not chunk.toString(): a multi-byte character may be split across chunks.
  const decoder = new StringDecoder('utf8');
  for await (const chunk of source) {
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let start = 0;
    for (let nl = pending.indexOf('\n', start); nl !== -1; nl = pending.indexOf('\n', start)) {
      const line = pending.slice(start, pending[nl - 1] === '\r' ? nl - 1 : nl);
      start = nl + 1;
      if (line === '') {
        if (data.length > 0) yield { id: lastId, event: event || 'message', data: data.join('\n') };
        event = '';
        data = [];
        dataChars = 0;
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') {
        data.push(value);
        dataChars += value.length;
        if (dataChars > SSE_EVENT_CHARS_MAX) throw tooLong();
      } else if (field === 'id' && !value.includes('\0')) lastId = value;
      else if (field === 'event') event = value;
    }
    pending = pending.slice(start);
    if (pending.length > SSE_EVENT_CHARS_MAX) throw tooLong();
  }
}

function tooLong(): LogClusterError {
  return new LogClusterError('INTERNAL', `An event-stream event exceeds ${SSE_EVENT_CHARS_MAX} characters`);
}
