import test from 'ava';
import { Prng } from '../../lib/prng.js';
import { crc32c } from '../../lib/storage/crc32c.js';
import { instantiateCrc32c, WASM_TABLE_BYTES } from '../../lib/storage/crc32c-wasm.js';
import { FRAME_BUFFER_BYTES, FrameBuffer } from '../../lib/storage/frame-buffer.js';
import type { LogRecord } from '../../lib/storage/log-record.js';
import { encodeRecord } from '../../lib/storage/record-format.js';

test('the WebAssembly crc agrees with crc32c.ts on every length and alignment, and chains', (t) => {
  const wasm = instantiateCrc32c(4096);
  if (wasm === null) return t.fail('WebAssembly is available in Node 20');
  const mem = new Uint8Array(wasm.memory.buffer);
  const base = WASM_TABLE_BYTES;
  for (let i = 0; i < 4096; i++) mem[base + i] = (i * 167 + 13) & 0xff;
  for (let start = 0; start < 20; start++) {
    for (let end = start; end < start + 300; end++) {
      const expected = crc32c(mem, base + start, base + end);
      if (wasm.exports.crc(base + start, base + end, 0) >>> 0 !== expected) {
        return t.fail(`range ${start}..${end}`);
      }
    }
  }
  const cut = base + 1000;
  const first = wasm.exports.crc(base, cut, 0) >>> 0;
  t.is(wasm.exports.crc(cut, base + 4096, first) >>> 0, crc32c(mem, base, base + 4096));
  t.is(crc32c(mem, base, base + 4096), crc32c(mem.slice(base, base + 4096)));
});

/** Random records with indexes and terms up to 2^53 - 1 and payloads of 0 to 600 bytes. */
function randomRecords(seed: number, n: number): LogRecord[] {
  const prng = new Prng(seed);
  const big = () => Math.floor(prng.nextFloat() * Number.MAX_SAFE_INTEGER);
  return Array.from({ length: n }, (_, i) => {
    const payload = new Uint8Array(prng.nextInt(601));
    for (let k = 0; k < payload.length; k++) payload[k] = prng.nextInt(256);
    return {
      index: i % 3 === 0 ? big() : i + 1,
      term: i % 5 === 0 ? big() : i,
      type: prng.nextInt(256),
      payload,
    };
  });
}

function frameAll(frame: (pos: number, r: LogRecord) => number, records: LogRecord[]): number[] {
  let pos = 0;
  return records.map((r) => {
    const crc = frame(pos, r);
    pos += 25 + r.payload.length;
    return crc;
  });
}

test('FrameBuffer frames byte for byte as record-format.ts does', (t) => {
  const records = randomRecords(7, 400);
  const reference = new Uint8Array(FRAME_BUFFER_BYTES);
  const refCrcs = frameAll(
    (pos, r) => encodeRecord(reference, pos, r.index, r.term, r.type, r.payload),
    records,
  );
  const frames = new FrameBuffer();
  const crcs = frameAll((pos, r) => frames.frame(pos, r), records);
  const bytes = records.reduce((sum, r) => sum + 25 + r.payload.length, 0);
  t.deepEqual(crcs, refCrcs);
  t.is(Buffer.compare(frames.bytes.subarray(0, bytes), reference.subarray(0, bytes)), 0);
});

test.serial('FrameBuffer falls back to JS where WebAssembly is missing (node --jitless)', (t) => {
  const global = globalThis as { WebAssembly?: unknown };
  const saved = global.WebAssembly;
  const records = randomRecords(8, 50);
  let plain: FrameBuffer;
  try {
    global.WebAssembly = undefined;
    plain = new FrameBuffer();
  } finally {
    global.WebAssembly = saved;
  }
  t.is(plain.bytes.buffer.byteLength, FRAME_BUFFER_BYTES, 'a plain Buffer of its own, not a wasm memory');
  const wasm = new FrameBuffer();
  t.not(wasm.bytes.buffer.byteLength, FRAME_BUFFER_BYTES);
  t.deepEqual(
    frameAll((pos, r) => plain.frame(pos, r), records),
    frameAll((pos, r) => wasm.frame(pos, r), records),
  );
  const bytes = records.reduce((sum, r) => sum + 25 + r.payload.length, 0);
  t.is(Buffer.compare(plain.bytes.subarray(0, bytes), wasm.bytes.subarray(0, bytes)), 0);
});
