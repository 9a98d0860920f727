/**
 * The local state-machine checkpoint: the applied state (indexes, dedup window) at an applied
 * index A, so a restart replays only the log after A instead of all of it. It is a cache of what
 * the log already says, never replicated: a checkpoint that is missing, damaged, from another
 * format version, or that the log contradicts (A past the log's end, another term at A) is
 * ignored and the log is replayed, never an error.
 *
 * Layout (little-endian): a 40-byte header — u32 magic "LCCK", u32 format version, f64 A,
 * f64 term at A, f64 body bytes, u32 CRC32C of the body, u32 CRC32C of the header's first 36
 * bytes — then the body: a sequence of f64 numbers and length-prefixed byte strings, each padded
 * to 8 bytes (see encodeBody). Typed arrays are stored raw and aligned, so loading them is a view
 * of the file's bytes, not a parse.
 */

import { crc32c } from '../storage/index.js';
import type { LogIndexState } from './log-index.js';
import type { KnownConfigs } from './raft-storage.js';
import type { MachineState } from './state-machine.js';

/** Format version: bump when the body changes; other versions are ignored (replayed). */
export const CHECKPOINT_VERSION = 1;

/** Bytes of the fixed header. */
export const CHECKPOINT_HEADER_BYTES = 40;

/**
 * Largest checkpoint written or read (2 GiB, ~50 million entries): a Buffer holds it whole.
 * Beyond it the node replays its log at start instead.
 */
export const CHECKPOINT_BYTES_MAX = 2 * 1024 ** 3;

const MAGIC = 0x4b43434c; // "LCCK" read as a little-endian u32

/** What a checkpoint holds: the applied state at `machine.applied` and the config entries up to it. */
export interface Checkpoint {
  /** The term of the entry at machine.applied (the log must hold the same to trust the rest). */
  readonly appliedTerm: number;
  readonly machine: MachineState;
  /** Config entries in (configs.snapshotIndex, machine.applied]; throughIndex is machine.applied. */
  readonly configs: KnownConfigs;
}

/** The checkpoint as byte strings to write in order (the first is the header); `bytes` in all. */
export interface EncodedCheckpoint {
  readonly parts: readonly Uint8Array[];
  readonly bytes: number;
}

/**
 * The file contents for `checkpoint`. The body's CRC is computed by the caller's `crc` (so a big
 * body can be checksummed in slices between event-loop turns); pass crcOfParts for one go.
 */
export async function encodeCheckpoint(
  checkpoint: Checkpoint,
  crc: (parts: readonly Uint8Array[]) => Promise<number> | number = crcOfParts,
): Promise<EncodedCheckpoint> {
  const body = encodeBody(checkpoint);
  let bodyBytes = 0;
  for (const part of body) bodyBytes += part.length;
  const header = Buffer.alloc(CHECKPOINT_HEADER_BYTES);
  header.writeUInt32LE(MAGIC, 0);
  header.writeUInt32LE(CHECKPOINT_VERSION, 4);
  header.writeDoubleLE(checkpoint.machine.applied, 8);
  header.writeDoubleLE(checkpoint.appliedTerm, 16);
  header.writeDoubleLE(bodyBytes, 24);
  header.writeUInt32LE(await crc(body), 32);
  header.writeUInt32LE(crc32c(header, 0, 36), 36);
  return { parts: [header, ...body], bytes: CHECKPOINT_HEADER_BYTES + bodyBytes };
}

/** CRC32C over several byte strings as if they were one. */
export function crcOfParts(parts: readonly Uint8Array[]): number {
  let crc = 0;
  for (const part of parts) crc = crc32c(part, 0, part.length, crc);
  return crc;
}

/** The body bytes a header announces, or a reason the header is unusable. */
export function checkHeader(header: Uint8Array): { bodyBytes: number; bodyCrc: number } | string {
  if (header.length < CHECKPOINT_HEADER_BYTES) return 'it is shorter than its header';
  const b = Buffer.from(header.buffer, header.byteOffset, CHECKPOINT_HEADER_BYTES);
  if (b.readUInt32LE(0) !== MAGIC) return 'it has no checkpoint magic';
  if (b.readUInt32LE(36) !== crc32c(b, 0, 36)) return 'its header fails its checksum';
  const version = b.readUInt32LE(4);
  if (version !== CHECKPOINT_VERSION) return `it has format version ${version}`;
  const bodyBytes = b.readDoubleLE(24);
  if (!Number.isSafeInteger(bodyBytes) || bodyBytes < 0 || bodyBytes > CHECKPOINT_BYTES_MAX) {
    return 'its header announces an impossible size';
  }
  return { bodyBytes, bodyCrc: b.readUInt32LE(32) };
}

/**
 * The checkpoint in `bytes` (a whole file), or a reason it cannot be used. Never throws on bad
 * bytes: a checkpoint is only a cache of the log.
 */
export function decodeCheckpoint(bytes: Uint8Array): Checkpoint | string {
  const head = checkHeader(bytes);
  if (typeof head === 'string') return head;
  if (bytes.length !== CHECKPOINT_HEADER_BYTES + head.bodyBytes) return 'its length does not match (torn?)';
  if (crc32c(bytes, CHECKPOINT_HEADER_BYTES) !== head.bodyCrc) return 'its body fails its checksum';
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    const checkpoint = decodeBody(new BodyReader(b, CHECKPOINT_HEADER_BYTES));
    if (checkpoint.machine.applied !== b.readDoubleLE(8) || checkpoint.appliedTerm !== b.readDoubleLE(16)) {
      return 'its header and body disagree';
    }
    return checkpoint;
  } catch (error) {
    return `its body does not decode (${(error as Error).message})`;
  }
}

function encodeBody(c: Checkpoint): Uint8Array[] {
  const w = new BodyWriter();
  const m = c.machine;
  w.numbers(m.applied, c.appliedTerm, m.compactedBefore, m.duplicates);
  w.text(JSON.stringify(c.configs));
  w.numbers(m.window.clockMs);
  w.text(JSON.stringify(m.window.ids));
  for (const array of [m.window.index, m.window.term, m.window.at]) w.array(array);
  const ix = m.index;
  w.numbers(ix.start, ix.unindexedThroughSeq, ix.zoneStart, ix.terms.length);
  for (const array of [ix.index, ix.ts, ix.level, ix.ids.hashes, ix.ids.seqs, ix.zoneMin, ix.zoneMax]) {
    w.array(array);
  }
  for (const [term, seqs] of ix.terms) {
    w.text(term);
    w.array(seqs);
  }
  return w.finish();
}

function decodeBody(r: BodyReader): Checkpoint {
  const applied = r.number();
  const appliedTerm = r.number();
  const compactedBefore = r.number();
  const duplicates = r.number();
  const configs = JSON.parse(r.text()) as KnownConfigs;
  if (
    configs.throughIndex !== applied ||
    configs.throughTerm !== appliedTerm ||
    !Array.isArray(configs.configs)
  ) {
    throw new RangeError('the config list is not as of the applied index');
  }
  const clockMs = r.number();
  const ids = JSON.parse(r.text()) as string[];
  if (!Array.isArray(ids)) throw new RangeError('the dedup window ids are not a list');
  const window = {
    clockMs,
    ids,
    index: new Float64Array(...r.aligned(8)),
    term: new Float64Array(...r.aligned(8)),
    at: new Float64Array(...r.aligned(8)),
  };
  const start = r.number();
  const unindexedThroughSeq = r.number();
  const zoneStart = r.number();
  const termCount = r.number();
  const index = new Float64Array(...r.aligned(8));
  const ts = new Float64Array(...r.aligned(8));
  const level = new Uint8Array(...r.aligned(1));
  const idTable = {
    hashes: new Uint32Array(...r.aligned(4)),
    seqs: new Uint32Array(...r.aligned(4)),
  };
  const zoneMin = new Float64Array(...r.aligned(8));
  const zoneMax = new Float64Array(...r.aligned(8));
  const terms: Array<readonly [string, Uint32Array]> = [];
  for (let i = 0; i < termCount; i++) terms.push([r.text(), new Uint32Array(...r.aligned(4))] as const);
  r.end();
  const state: LogIndexState = {
    start,
    index,
    ts,
    level,
    ids: idTable,
    zoneStart,
    zoneMin,
    zoneMax,
    terms,
    unindexedThroughSeq,
  };
  return {
    appliedTerm,
    machine: { applied, compactedBefore, duplicates, window, index: state },
    configs,
  };
}

/** Zero bytes that pad a byte string to a multiple of 8. */
const PADDING = new Uint8Array(8);

/** Collects the body: small numbers batched into scratch parts, arrays referenced as they are. */
class BodyWriter {
  #parts: Uint8Array[] = [];
  #scratch: number[] = [];

  numbers(...values: number[]): void {
    this.#scratch.push(...values);
  }

  bytes(value: Uint8Array): void {
    this.numbers(value.length);
    this.#flush();
    this.#parts.push(value);
    if (value.length % 8 !== 0) this.#parts.push(PADDING.subarray(0, 8 - (value.length % 8)));
  }

  text(value: string): void {
    this.bytes(Buffer.from(value, 'utf8'));
  }

  array(value: Float64Array | Uint32Array | Uint8Array): void {
    this.bytes(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  }

  finish(): Uint8Array[] {
    this.#flush();
    return this.#parts;
  }

  #flush(): void {
    if (this.#scratch.length === 0) return;
    const b = Buffer.alloc(this.#scratch.length * 8);
    for (let i = 0; i < this.#scratch.length; i++) b.writeDoubleLE(this.#scratch[i], i * 8);
    this.#parts.push(b);
    this.#scratch = [];
  }
}

/** Reads what BodyWriter wrote; throws RangeError past the end or on a malformed value. */
class BodyReader {
  #b: Buffer;
  #at: number;

  constructor(b: Buffer, at: number) {
    this.#b = b;
    this.#at = at;
  }

  number(): number {
    if (this.#at + 8 > this.#b.length) throw new RangeError('the body ends early');
    const value = this.#b.readDoubleLE(this.#at);
    this.#at += 8;
    if (!Number.isSafeInteger(value)) throw new RangeError('a count or index is not an integer');
    return value;
  }

  bytes(): Buffer {
    const length = this.number();
    if (length < 0 || this.#at + length > this.#b.length) throw new RangeError('a byte string overruns');
    const value = this.#b.subarray(this.#at, this.#at + length);
    this.#at += length + ((8 - (length % 8)) % 8);
    if (this.#at > this.#b.length) throw new RangeError('a byte string overruns its padding');
    return value;
  }

  text(): string {
    return this.bytes().toString('utf8');
  }

  /** A byte string as [buffer, offset, elements] for a typed array view (copied when unaligned). */
  aligned(elementBytes: number): [ArrayBuffer, number, number] {
    const value = this.bytes();
    if (value.length % elementBytes !== 0) throw new RangeError('an array has a partial element');
    const count = value.length / elementBytes;
    if (value.byteOffset % elementBytes === 0) return [value.buffer as ArrayBuffer, value.byteOffset, count];
    const copy = new Uint8Array(value.length);
    copy.set(value);
    return [copy.buffer, 0, count];
  }

  end(): void {
    if (this.#at !== this.#b.length) throw new RangeError('bytes follow the body');
  }
}
