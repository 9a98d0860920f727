/** One-line renderings of messages and entries for the trace. */
import type { Entry, Message } from '../../lib/consensus/types.js';

const decoder = new TextDecoder();

/** `5/2:w17` (index/term:payload), `6/2:noop`, `7/3:config{...}`. */
export function formatEntry(entry: Entry): string {
  const head = `${entry.index}/${entry.term}`;
  if (entry.type === 'noop') return `${head}:noop`;
  if (entry.type === 'config') return `${head}:config${decoder.decode(entry.data)}`;
  return `${head}:${decoder.decode(entry.data.subarray(0, 16))}`;
}

/** Entries as `[first..last]` with the first and last rendered. */
export function formatEntries(entries: readonly Entry[]): string {
  if (entries.length === 0) return '[]';
  if (entries.length === 1) return `[${formatEntry(entries[0])}]`;
  return `[${formatEntry(entries[0])} .. ${formatEntry(entries[entries.length - 1])}](${entries.length})`;
}

/** `n1>n2 append t3 prev=4/2 [..] c=4`. */
export function formatMessage(m: Message): string {
  const head = `${m.from}>${m.to} ${m.type} t${m.term}`;
  switch (m.type) {
    case 'vote':
    case 'pre-vote':
      return `${head} last=${m.lastIndex}/${m.lastTerm}${m.transfer ? ' transfer' : ''}`;
    case 'vote-response':
    case 'pre-vote-response':
      return `${head} ${m.granted ? 'granted' : 'rejected'}`;
    case 'append':
      return `${head} prev=${m.prevIndex}/${m.prevTerm} ${formatEntries(m.entries)} c=${m.commit}`;
    case 'append-response':
      return m.success
        ? `${head} ok ${m.index}`
        : `${head} reject ${m.index} hint=${m.hintIndex}/${m.hintTerm}`;
    case 'heartbeat':
      return `${head} c=${m.commit}${m.context ? ` ctx=${m.context}` : ''}`;
    case 'heartbeat-response':
      return `${head}${m.context ? ` ctx=${m.context}` : ''}`;
    case 'snapshot':
      return `${head} snap=${m.snapshot.index}/${m.snapshot.term}`;
    case 'read-index':
    case 'read-index-response':
      return `${head} ctx=${m.context}`;
    default:
      return head;
  }
}
