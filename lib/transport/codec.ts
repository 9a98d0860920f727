/**
 * The peer wire format: a compact binary encoding of a batch of Raft messages (many messages per
 * frame). Layout, byte by byte, in docs/transport.md. Decoding trusts nothing: every length is
 * checked against the bytes actually present before use, so a malformed, truncated or hostile
 * frame throws LogClusterError('PEER_FRAME_INVALID') and never reads out of range or allocates
 * more than the frame it was given. Entry and snapshot data are zero-copy views into the frame.
 */
import { assert } from '../assert.js';
import type {
  Entry,
  EntryType,
  Message,
  MessageType,
  NodeId,
  RefusalReason,
  Snapshot,
} from '../consensus/types.js';
import { LogClusterError } from '../errors.js';

/**
 * The peer protocol version, sent in the upgrade handshake and as the first byte of every frame
 * body. Bump it on any change to the layout; nodes refuse peers that speak another version.
 */
export const PEER_PROTOCOL_VERSION = 1;

/**
 * The largest frame (4-byte length prefix included) a node sends or accepts. It bounds the memory
 * one peer connection can pin; it must exceed the largest single message (an append batch the
 * core caps by bytes, or a snapshot of the idempotency window), and 16 MiB leaves ample room.
 */
export const FRAME_BYTES_MAX = 16 * 1024 * 1024;

/** Bytes of the big-endian length prefix in front of every frame body. */
export const FRAME_HEADER_BYTES = 4;

/**
 * Longest string (node id, read context) the codec carries. Ids and contexts are short; the bound
 * keeps a hostile frame from making the receiver build huge strings.
 */
export const PEER_STRING_BYTES_MAX = 1024;

/**
 * Largest magnitude of an integer on the wire (2^52 - 1): zigzag-encoded it stays a safe integer,
 * and terms and indexes never come near it.
 */
export const WIRE_INTEGER_MAX = 2 ** 52 - 1;

const MESSAGE_TAGS: Readonly<Record<MessageType, number>> = {
  vote: 1,
  'pre-vote': 2,
  'vote-response': 3,
  'pre-vote-response': 4,
  append: 5,
  'append-response': 6,
  heartbeat: 7,
  'heartbeat-response': 8,
  snapshot: 9,
  'timeout-now': 10,
  'read-index': 11,
  'read-index-response': 12,
};
const TAG_TYPES: readonly (MessageType | undefined)[] = (() => {
  const types: (MessageType | undefined)[] = [];
  for (const [type, tag] of Object.entries(MESSAGE_TAGS)) types[tag] = type as MessageType;
  return types;
})();

const ENTRY_TYPES: readonly EntryType[] = ['normal', 'noop', 'config'];
const ENTRY_TAGS: Readonly<Record<EntryType, number>> = { normal: 0, noop: 1, config: 2 };

/** Refusal reasons on the wire; 0 means null. A Record, so a new reason fails the build until tagged. */
const REASON_TAGS: Readonly<Record<RefusalReason, number>> = {
  'not-leader': 1,
  'transfer-in-progress': 2,
  'window-full': 3,
  'config-change-pending': 4,
  'invalid-request': 5,
};
const TAG_REASONS: readonly (RefusalReason | undefined)[] = (() => {
  const reasons: (RefusalReason | undefined)[] = [];
  for (const [reason, tag] of Object.entries(REASON_TAGS)) reasons[tag] = reason as RefusalReason;
  return reasons;
})();

/**
 * The fields each message type carries beyond type/from/to/term, in wire order. The compile-time
 * check below fails the build when consensus/types.ts gains a field this list does not name.
 */
const FIELDS = {
  vote: ['lastIndex', 'lastTerm', 'transfer'],
  'pre-vote': ['lastIndex', 'lastTerm', 'transfer'],
  'vote-response': ['granted'],
  'pre-vote-response': ['granted'],
  append: ['prevIndex', 'prevTerm', 'commit', 'entries'],
  'append-response': ['success', 'index', 'hintIndex', 'hintTerm'],
  heartbeat: ['commit', 'context'],
  'heartbeat-response': ['context'],
  snapshot: ['snapshot'],
  'timeout-now': [],
  'read-index': ['context'],
  'read-index-response': ['context', 'index', 'reason'],
} as const;
type BaseKey = 'type' | 'from' | 'to' | 'term';
/** The Message variant whose type union includes K (Extract fails on variants sharing a shape). */
type MessageOf<K extends MessageType> = Message extends infer M
  ? M extends { readonly type: infer T }
    ? K extends T
      ? M
      : never
    : never
  : never;
type Unlisted = {
  [K in MessageType]: Exclude<keyof MessageOf<K>, BaseKey | (typeof FIELDS)[K][number]>;
}[MessageType];
/** `never` when every Message field has a place on the wire; otherwise names the missing one. */
const everyFieldEncoded: [Unlisted] extends [never] ? true : { missing: Unlisted } = true;
void everyFieldEncoded;

/** The error every decoding failure becomes. The reason names what was wrong, never the bytes. */
export function frameInvalid(reason: string): LogClusterError {
  return new LogClusterError('PEER_FRAME_INVALID', `The peer frame is malformed: ${reason}`);
}

// --- sizes -------------------------------------------------------------------------------------

function uintBytes(value: number): number {
  let bytes = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    bytes++;
  }
  return bytes;
}

function zigzag(value: number): number {
  assert(
    Number.isInteger(value) && Math.abs(value) <= WIRE_INTEGER_MAX,
    `wire integer out of range: ${value}`,
  );
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

function intBytes(value: number): number {
  return uintBytes(zigzag(value));
}

function stringBytes(value: string): number {
  const length = Buffer.byteLength(value, 'utf8');
  assert(length <= PEER_STRING_BYTES_MAX, `peer string of ${length} bytes exceeds PEER_STRING_BYTES_MAX`);
  return uintBytes(length) + length;
}

function bytesBytes(data: Uint8Array): number {
  return uintBytes(data.byteLength) + data.byteLength;
}

function entriesBytes(entries: readonly Entry[]): number {
  let bytes = uintBytes(entries.length);
  for (const entry of entries)
    bytes += intBytes(entry.index) + intBytes(entry.term) + 1 + bytesBytes(entry.data);
  return bytes;
}

function snapshotBytes(snapshot: Snapshot): number {
  let bytes = intBytes(snapshot.index) + intBytes(snapshot.term);
  bytes += uintBytes(snapshot.config.voters.length) + uintBytes(snapshot.config.learners.length);
  for (const id of snapshot.config.voters) bytes += stringBytes(id);
  for (const id of snapshot.config.learners) bytes += stringBytes(id);
  return bytes + bytesBytes(snapshot.data);
}

/** Bytes of the type-specific fields of `m` (everything after type, from, to and term). */
function fieldBytes(m: Message): number {
  switch (m.type) {
    case 'vote':
    case 'pre-vote':
      return intBytes(m.lastIndex) + intBytes(m.lastTerm) + 1;
    case 'vote-response':
    case 'pre-vote-response':
      return 1;
    case 'append':
      return intBytes(m.prevIndex) + intBytes(m.prevTerm) + intBytes(m.commit) + entriesBytes(m.entries);
    case 'append-response':
      return 1 + intBytes(m.index) + intBytes(m.hintIndex) + intBytes(m.hintTerm);
    case 'heartbeat':
      return intBytes(m.commit) + stringBytes(m.context);
    case 'heartbeat-response':
    case 'read-index':
      return stringBytes(m.context);
    case 'snapshot':
      return snapshotBytes(m.snapshot);
    case 'timeout-now':
      return 0;
    case 'read-index-response':
      return stringBytes(m.context) + intBytes(m.index) + 1;
  }
}

/** Most bytes a node-id reference takes: a frame cannot hold 2^21 distinct ids. */
const REF_BYTES_MAX = 3;

/**
 * Bytes a frame needs besides its messages: length prefix, version, id-table and message counts.
 */
export const FRAME_OVERHEAD_BYTES = FRAME_HEADER_BYTES + 1 + 2 * 8;

/**
 * An upper bound on the bytes `m` adds to a frame, counting its node ids as if each were new to
 * the frame's id table. The sender sums it (plus FRAME_OVERHEAD_BYTES) to split its queue into
 * frames within FRAME_BYTES_MAX.
 */
export function encodedMessageBytes(m: Message): number {
  return 1 + 2 * REF_BYTES_MAX + stringBytes(m.from) + stringBytes(m.to) + intBytes(m.term) + fieldBytes(m);
}

// --- writing -----------------------------------------------------------------------------------

class Writer {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  u8(value: number): void {
    this.buf[this.pos++] = value;
  }

  uint(value: number): void {
    while (value >= 0x80) {
      this.buf[this.pos++] = (value % 128) | 0x80;
      value = Math.floor(value / 128);
    }
    this.buf[this.pos++] = value;
  }

  int(value: number): void {
    this.uint(zigzag(value));
  }

  bool(value: boolean): void {
    this.buf[this.pos++] = value ? 1 : 0;
  }

  string(value: string): void {
    const length = Buffer.byteLength(value, 'utf8');
    this.uint(length);
    this.pos += this.buf.write(value, this.pos, length, 'utf8');
  }

  bytes(data: Uint8Array): void {
    this.uint(data.byteLength);
    this.buf.set(data, this.pos);
    this.pos += data.byteLength;
  }
}

function writeFields(w: Writer, m: Message): void {
  switch (m.type) {
    case 'vote':
    case 'pre-vote':
      w.int(m.lastIndex);
      w.int(m.lastTerm);
      w.bool(m.transfer);
      return;
    case 'vote-response':
    case 'pre-vote-response':
      w.bool(m.granted);
      return;
    case 'append':
      w.int(m.prevIndex);
      w.int(m.prevTerm);
      w.int(m.commit);
      w.uint(m.entries.length);
      for (const entry of m.entries) {
        w.int(entry.index);
        w.int(entry.term);
        w.u8(ENTRY_TAGS[entry.type]);
        w.bytes(entry.data);
      }
      return;
    case 'append-response':
      w.bool(m.success);
      w.int(m.index);
      w.int(m.hintIndex);
      w.int(m.hintTerm);
      return;
    case 'heartbeat':
      w.int(m.commit);
      w.string(m.context);
      return;
    case 'heartbeat-response':
    case 'read-index':
      w.string(m.context);
      return;
    case 'snapshot':
      writeSnapshot(w, m.snapshot);
      return;
    case 'timeout-now':
      return;
    case 'read-index-response':
      w.string(m.context);
      w.int(m.index);
      w.u8(m.reason === null ? 0 : REASON_TAGS[m.reason]);
      return;
  }
}

function writeSnapshot(w: Writer, snapshot: Snapshot): void {
  w.int(snapshot.index);
  w.int(snapshot.term);
  w.uint(snapshot.config.voters.length);
  for (const id of snapshot.config.voters) w.string(id);
  w.uint(snapshot.config.learners.length);
  for (const id of snapshot.config.learners) w.string(id);
  w.bytes(snapshot.data);
}

/**
 * Encodes `messages` as one frame: the 4-byte length prefix followed by the body. The caller keeps
 * the frame within FRAME_BYTES_MAX (see encodedMessageBytes); an oversized frame is a bug here.
 */
export function encodeFrame(messages: readonly Message[]): Buffer {
  const ids = new Map<NodeId, number>();
  const refs = new Uint32Array(messages.length * 2);
  let bodyBytes = 1;
  let idBytes = 0;
  const ref = (id: NodeId): number => {
    let n = ids.get(id);
    if (n === undefined) {
      n = ids.size;
      ids.set(id, n);
      idBytes += stringBytes(id);
    }
    return n;
  };
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    refs[2 * i] = ref(m.from);
    refs[2 * i + 1] = ref(m.to);
    bodyBytes += 1 + uintBytes(refs[2 * i]) + uintBytes(refs[2 * i + 1]) + intBytes(m.term) + fieldBytes(m);
  }
  bodyBytes += uintBytes(ids.size) + idBytes + uintBytes(messages.length);
  assert(FRAME_HEADER_BYTES + bodyBytes <= FRAME_BYTES_MAX, 'frame exceeds FRAME_BYTES_MAX');

  const w = new Writer(Buffer.allocUnsafe(FRAME_HEADER_BYTES + bodyBytes));
  w.buf.writeUInt32BE(bodyBytes, 0);
  w.pos = FRAME_HEADER_BYTES;
  w.u8(PEER_PROTOCOL_VERSION);
  w.uint(ids.size);
  for (const id of ids.keys()) w.string(id);
  w.uint(messages.length);
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    w.u8(MESSAGE_TAGS[m.type]);
    w.uint(refs[2 * i]);
    w.uint(refs[2 * i + 1]);
    w.int(m.term);
    writeFields(w, m);
  }
  assert(w.pos === w.buf.length, 'frame size was computed wrongly');
  return w.buf;
}

// --- reading -----------------------------------------------------------------------------------

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  u8(): number {
    if (this.pos >= this.buf.length) throw frameInvalid('truncated');
    return this.buf[this.pos++];
  }

  uint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const byte = this.u8();
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (result > Number.MAX_SAFE_INTEGER) throw frameInvalid('integer out of range');
        return result;
      }
      scale *= 128;
    }
    throw frameInvalid('integer too long');
  }

  int(): number {
    const raw = this.uint();
    const value = raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
    if (Math.abs(value) > WIRE_INTEGER_MAX) throw frameInvalid('integer out of range');
    return value;
  }

  /** A count of items that each take at least `minBytes`: bounded by what the frame still holds. */
  count(minBytes: number): number {
    const n = this.uint();
    if (n * minBytes > this.remaining) throw frameInvalid('count exceeds the frame');
    return n;
  }

  bool(): boolean {
    const byte = this.u8();
    if (byte > 1) throw frameInvalid('boolean is neither 0 nor 1');
    return byte === 1;
  }

  string(): string {
    const length = this.uint();
    if (length > PEER_STRING_BYTES_MAX) throw frameInvalid('string too long');
    if (length > this.remaining) throw frameInvalid('truncated string');
    const value = this.buf.toString('utf8', this.pos, this.pos + length);
    this.pos += length;
    return value;
  }

  bytes(): Uint8Array {
    const length = this.uint();
    if (length > this.remaining) throw frameInvalid('truncated data');
    const view = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return view;
  }
}

function readEntries(r: Reader): Entry[] {
  const count = r.count(4);
  const entries: Entry[] = [];
  for (let i = 0; i < count; i++) {
    const index = r.int();
    const term = r.int();
    const type = ENTRY_TYPES[r.u8()];
    if (type === undefined) throw frameInvalid('unknown entry type');
    entries.push({ index, term, type, data: r.bytes() });
  }
  return entries;
}

function readSnapshot(r: Reader): Snapshot {
  const index = r.int();
  const term = r.int();
  const voters: NodeId[] = [];
  for (let n = r.count(1); n > 0; n--) voters.push(r.string());
  const learners: NodeId[] = [];
  for (let n = r.count(1); n > 0; n--) learners.push(r.string());
  return { index, term, config: { voters, learners }, data: r.bytes() };
}

function readReason(r: Reader): RefusalReason | null {
  const tag = r.u8();
  if (tag === 0) return null;
  const reason = TAG_REASONS[tag];
  if (reason === undefined) throw frameInvalid('unknown refusal reason');
  return reason;
}

function readMessage(r: Reader, ids: readonly NodeId[]): Message {
  const type = TAG_TYPES[r.u8()];
  if (type === undefined) throw frameInvalid('unknown message type');
  const from = ids[r.uint()];
  const to = ids[r.uint()];
  if (from === undefined || to === undefined) throw frameInvalid('node reference out of range');
  const term = r.int();
  const base = { from, to, term };
  switch (type) {
    case 'vote':
    case 'pre-vote':
      return { ...base, type, lastIndex: r.int(), lastTerm: r.int(), transfer: r.bool() };
    case 'vote-response':
    case 'pre-vote-response':
      return { ...base, type, granted: r.bool() };
    case 'append':
      return {
        ...base,
        type,
        prevIndex: r.int(),
        prevTerm: r.int(),
        commit: r.int(),
        entries: readEntries(r),
      };
    case 'append-response':
      return { ...base, type, success: r.bool(), index: r.int(), hintIndex: r.int(), hintTerm: r.int() };
    case 'heartbeat':
      return { ...base, type, commit: r.int(), context: r.string() };
    case 'heartbeat-response':
    case 'read-index':
      return { ...base, type, context: r.string() };
    case 'snapshot':
      return { ...base, type, snapshot: readSnapshot(r) };
    case 'timeout-now':
      return { ...base, type };
    case 'read-index-response':
      return { ...base, type, context: r.string(), index: r.int(), reason: readReason(r) };
  }
}

/**
 * Decodes a frame body (the bytes after the length prefix). Throws PEER_FRAME_INVALID on any
 * malformation: wrong version, truncation, unknown tags, out-of-range values, trailing bytes.
 * Entry and snapshot `data` are views into `body`: they keep it alive and see later writes to it.
 */
export function decodeFrameBody(body: Uint8Array): Message[] {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (buf.length + FRAME_HEADER_BYTES > FRAME_BYTES_MAX) throw frameInvalid('frame exceeds FRAME_BYTES_MAX');
  const r = new Reader(buf);
  const version = r.u8();
  if (version !== PEER_PROTOCOL_VERSION)
    throw frameInvalid(`protocol version ${version} is not ${PEER_PROTOCOL_VERSION}`);
  const ids: NodeId[] = [];
  for (let n = r.count(1); n > 0; n--) ids.push(r.string());
  const messages: Message[] = [];
  for (let n = r.count(4); n > 0; n--) messages.push(readMessage(r, ids));
  if (r.remaining !== 0) throw frameInvalid('trailing bytes after the last message');
  return messages;
}

/** Decodes a whole frame (length prefix included), checking the prefix matches the bytes given. */
export function decodeFrame(frame: Uint8Array): Message[] {
  if (frame.byteLength < FRAME_HEADER_BYTES) throw frameInvalid('truncated length prefix');
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const length = view.getUint32(0);
  if (length !== frame.byteLength - FRAME_HEADER_BYTES)
    throw frameInvalid('length prefix does not match the frame');
  return decodeFrameBody(frame.subarray(FRAME_HEADER_BYTES));
}
