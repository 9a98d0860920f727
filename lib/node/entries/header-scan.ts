/**
 * A fast path for apply: reads the index fields of a version 2 payload header straight from its
 * bytes, without building the header text or JSON-parsing it (the parse was the largest part of
 * a follower's apply). It reads only the exact shape encodeEntry writes, with plain strings; on
 * anything else (an escape in a string, an unexpected byte, a non-integer number) it answers
 * undefined and the caller falls back to JSON.parse, which stays the authority on the format.
 */

import { LEVELS, type Level } from './levels.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const CLOSE_BRACE = 0x7d;
const CONTROL_MAX = 0x1f;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
/** Digits in an integer the scan reads: 15 keeps every value exact (below 2^53). */
const INTEGER_DIGITS_MAX = 15;
/** Sources remembered as strings (direct-mapped by a hash of their bytes): sources repeat. */
const SOURCE_CACHE_SLOTS = 256;
/** Longer sources are not cached: comparing them costs about what decoding does. */
const SOURCE_CACHE_BYTES_MAX = 64;

/** A decoded source string and its bytes, so a repeated source reuses one string. */
interface CachedSource {
  readonly bytes: Buffer;
  readonly text: string;
}

const sourceCache = new Array<CachedSource | undefined>(SOURCE_CACHE_SLOTS);

/** What scanHeaderV2 reads: the fields apply indexes. */
export interface ScannedFields {
  readonly id: string;
  readonly timestampMs: number;
  readonly acceptedAtMs: number;
  readonly level: Level;
  readonly source: string;
  readonly labels: Record<string, string> | undefined;
}

const PREFIX = Buffer.from('{"v":2,"id":"');
const TS = Buffer.from(',"ts":');
const AT = Buffer.from(',"at":');
const LEVEL = Buffer.from(',"level":"');
const SOURCE = Buffer.from(',"source":"');
const LABELS = Buffer.from(',"labels":{');
const NODE = Buffer.from(',"node":');
const LEVEL_BYTES = LEVELS.map((level) => Buffer.from(level));

/** Scan state: the position in `bytes`, advanced by each step; -1 once a step failed. */
class Scan {
  pos = 0;
  constructor(
    readonly bytes: Buffer,
    readonly end: number,
  ) {}

  /** Consumes `literal` when the bytes at pos are exactly it. */
  literal(literal: Buffer): boolean {
    const { bytes, pos } = this;
    if (pos < 0 || pos + literal.length > this.end) return false;
    for (let i = 0; i < literal.length; i++) if (bytes[pos + i] !== literal[i]) return false;
    this.pos = pos + literal.length;
    return true;
  }

  /** The end (closing quote) of the plain string starting at pos; -1 on an escape or control byte. */
  stringEnd(): number {
    const { bytes, end } = this;
    for (let i = this.pos; i < end; i++) {
      const b = bytes[i];
      if (b === QUOTE) return i;
      if (b === BACKSLASH || b <= CONTROL_MAX) return -1;
    }
    return -1;
  }

  /** A plain string whose opening quote is consumed; consumes the closing quote. */
  string(): string | undefined {
    const close = this.stringEnd();
    if (close < 0) return undefined;
    const text = this.bytes.toString('utf8', this.pos, close);
    this.pos = close + 1;
    return text;
  }

  /** A non-negative integer without sign, fraction or exponent; -1 when the bytes hold none. */
  integer(): number {
    const { bytes, end } = this;
    let value = 0;
    let i = this.pos;
    for (; i < end && i - this.pos <= INTEGER_DIGITS_MAX; i++) {
      const b = bytes[i];
      if (b < DIGIT_0 || b > DIGIT_9) break;
      value = value * 10 + (b - DIGIT_0);
    }
    const digits = i - this.pos;
    if (digits === 0 || digits > INTEGER_DIGITS_MAX || (digits > 1 && bytes[this.pos] === DIGIT_0)) return -1;
    if (bytes[i] !== COMMA) return -1;
    this.pos = i;
    return value;
  }

  /** Like string(), reusing the string of a recently seen source with the same bytes. */
  source(): string | undefined {
    const { bytes, pos } = this;
    const close = this.stringEnd();
    if (close < 0) return undefined;
    const length = close - pos;
    if (length > SOURCE_CACHE_BYTES_MAX) return this.string();
    let hash = length;
    for (let i = pos; i < close; i++) hash = (Math.imul(hash, 31) + bytes[i]) | 0;
    const slot = hash & (SOURCE_CACHE_SLOTS - 1);
    const cached = sourceCache[slot];
    this.pos = close + 1;
    if (cached !== undefined && cached.bytes.length === length) {
      let same = true;
      for (let i = 0; i < length && same; i++) same = cached.bytes[i] === bytes[pos + i];
      if (same) return cached.text;
    }
    const text = bytes.toString('utf8', pos, close);
    sourceCache[slot] = { bytes: Buffer.from(bytes.subarray(pos, close)), text };
    return text;
  }

  /** One of LEVELS, written plainly, closing quote consumed. */
  level(): Level | undefined {
    const close = this.stringEnd();
    if (close < 0) return undefined;
    for (let code = 0; code < LEVEL_BYTES.length; code++) {
      const name = LEVEL_BYTES[code];
      if (name.length !== close - this.pos) continue;
      let same = true;
      for (let i = 0; i < name.length && same; i++) same = this.bytes[this.pos + i] === name[i];
      if (same) {
        this.pos = close + 1;
        return LEVELS[code];
      }
    }
    return undefined;
  }

  /** The label object's pairs after its `{`, closing `}` consumed. */
  labels(): Record<string, string> | undefined {
    const labels: Record<string, string> = {};
    for (;;) {
      if (this.bytes[this.pos++] !== QUOTE) return undefined;
      const key = this.string();
      if (key === undefined || key === '__proto__') return undefined;
      if (this.bytes[this.pos++] !== 0x3a || this.bytes[this.pos++] !== QUOTE) return undefined;
      const value = this.string();
      if (value === undefined) return undefined;
      labels[key] = value;
      const next = this.bytes[this.pos++];
      if (next === CLOSE_BRACE) return labels;
      if (next !== COMMA || this.pos >= this.end) return undefined;
    }
  }
}

/**
 * The index fields of a version 2 header starting at byte 0 and ending before `end` (the header
 * line may be followed by its body: the scan stops at the header's `"node"`), or undefined when the
 * header is not in encodeEntry's plain shape (the caller then JSON-parses it).
 */
export function scanHeaderV2(bytes: Buffer, end: number): ScannedFields | undefined {
  const scan = new Scan(bytes, end);
  if (!scan.literal(PREFIX)) return undefined;
  const id = scan.string();
  if (id === undefined || !scan.literal(TS)) return undefined;
  const timestampMs = scan.integer();
  if (timestampMs < 0 || !scan.literal(AT)) return undefined;
  const acceptedAtMs = scan.integer();
  if (acceptedAtMs < 0 || !scan.literal(LEVEL)) return undefined;
  const level = scan.level();
  if (level === undefined || !scan.literal(SOURCE)) return undefined;
  const source = scan.source();
  if (source === undefined) return undefined;
  let labels: Record<string, string> | undefined;
  if (scan.literal(LABELS)) {
    labels = scan.labels();
    if (labels === undefined) return undefined;
  }
  if (!scan.literal(NODE)) return undefined;
  return { id, timestampMs, acceptedAtMs, level, source, labels };
}
