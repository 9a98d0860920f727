/**
 * The peer wire format: a compact binary encoding of a batch of Raft messages (many messages per
 * frame). Layout, byte by byte, in docs/transport.md. Decoding trusts nothing: every length is
 * checked against the bytes actually present before use, so a malformed, truncated or hostile
 * frame throws LogClusterError('PEER_FRAME_INVALID') and never reads out of range or allocates
 * more than the frame it was given. Entry and snapshot data are zero-copy views into the frame.
 */
import { assert } from '../assert.js';
import type { Entry, Message, NodeId, RefusalReason, Snapshot } from '../consensus/types.js';
import {
  bytesBytes,
  FRAME_BYTES_MAX,
  FRAME_HEADER_BYTES,
  frameInvalid,
  intBytes,
  PEER_PROTOCOL_VERSION,
  Reader,
  stringBytes,
  uintBytes,
  Writer,
} from './wire.js';
import { ENTRY_TAGS, ENTRY_TYPES, MESSAGE_TAGS, REASON_TAGS, TAG_REASONS, TAG_TYPES } from './wire-tags.js';

export {
  FRAME_BYTES_MAX,
  FRAME_HEADER_BYTES,
  frameInvalid,
  PEER_PROTOCOL_VERSION,
  PEER_STRING_BYTES_MAX,
  WIRE_INTEGER_MAX,
} from './wire.js';

// --- sizes -------------------------------------------------------------------------------------

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
  // Plain literals, not `{ ...base }`: spreading per message made decoding ten times slower.
  switch (type) {
    case 'vote':
    case 'pre-vote':
      return { type, from, to, term, lastIndex: r.int(), lastTerm: r.int(), transfer: r.bool() };
    case 'vote-response':
    case 'pre-vote-response':
      return { type, from, to, term, granted: r.bool() };
    case 'append':
      return {
        type,
        from,
        to,
        term,
        prevIndex: r.int(),
        prevTerm: r.int(),
        commit: r.int(),
        entries: readEntries(r),
      };
    case 'append-response':
      return {
        type,
        from,
        to,
        term,
        success: r.bool(),
        index: r.int(),
        hintIndex: r.int(),
        hintTerm: r.int(),
      };
    case 'heartbeat':
      return { type, from, to, term, commit: r.int(), context: r.string() };
    case 'heartbeat-response':
    case 'read-index':
      return { type, from, to, term, context: r.string() };
    case 'snapshot':
      return { type, from, to, term, snapshot: readSnapshot(r) };
    case 'timeout-now':
      return { type, from, to, term };
    case 'read-index-response':
      return { type, from, to, term, context: r.string(), index: r.int(), reason: readReason(r) };
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
