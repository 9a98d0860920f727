/**
 * Cheap 32-bit digests the checker compares instead of whole logs: an entry digest, and a chain
 * digest over a log prefix (chain(i) = mix(chain(i-1), entry i)). Two logs with equal chain
 * digests at index i hold the same entries 1..i (up to a 2^-32 collision, which could only hide a
 * violation, never invent one).
 */
import type { Entry, EntryType } from '../../lib/consensus/types.js';

/** Chain digest of the empty prefix (index 0). */
export const EMPTY_CHAIN = 0x811c9dc5;

const TYPE_CODE: Record<EntryType, number> = { normal: 0, noop: 1, config: 2 };

/** FNV-1a over `data`. */
export function bytesDigest(data: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < data.length; i++) {
    h ^= data[i];
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The chain digest after appending `entry` to a prefix whose digest is `prev`. */
export function chainDigest(prev: number, entry: Entry): number {
  let h = prev;
  h = mix(h, entry.index);
  h = mix(h, entry.term);
  h = mix(h, TYPE_CODE[entry.type]);
  h = mix(h, bytesDigest(entry.data));
  return h;
}

function mix(h: number, x: number): number {
  let k = Math.imul(x | 0, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  let r = (h ^ k) >>> 0;
  r = (r << 13) | (r >>> 19);
  return (Math.imul(r, 5) + 0xe6546b64) >>> 0;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The unique payload of client write number `n`. */
export function payloadOf(n: number): Uint8Array {
  return encoder.encode(`w${n}`);
}

/** The write number carried by a client payload, undefined for other data. */
export function writeNumberOf(data: Uint8Array): number | undefined {
  const text = decoder.decode(data);
  if (!text.startsWith('w')) return undefined;
  const n = Number(text.slice(1));
  return Number.isSafeInteger(n) ? n : undefined;
}
