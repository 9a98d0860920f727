/** Shared helpers of the storage tests (not a test file itself). */
import type { LogRecord } from '../../lib/storage/index.js';

/** A deterministic payload for (index, term, version): any mix-up between records shows. */
export function payloadOf(
  index: number,
  term: number,
  version = 0,
  size = (index * 13 + version) % 61,
): Uint8Array {
  const p = new Uint8Array(size);
  for (let i = 0; i < size; i++) p[i] = (index * 31 + term * 7 + version * 101 + i) & 0xff;
  return p;
}

/** A record whose payload is payloadOf(index, term, version). */
export function rec(index: number, term = 1, version = 0, size?: number): LogRecord {
  return { index, term, type: index % 3, payload: payloadOf(index, term, version, size) };
}

/** Records [from, to] with the given term. */
export function recs(from: number, to: number, term = 1, version = 0): LogRecord[] {
  const out: LogRecord[] = [];
  for (let i = from; i <= to; i++) out.push(rec(i, term, version));
  return out;
}

/** Lets every pending microtask (and so every SimFileSystem operation) run. */
export function drain(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** True when two records are identical field by field and byte by byte. */
export function sameRecord(a: LogRecord | undefined, b: LogRecord | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (
    a.index === b.index &&
    a.term === b.term &&
    a.type === b.type &&
    Buffer.compare(Buffer.from(a.payload), Buffer.from(b.payload)) === 0
  );
}
