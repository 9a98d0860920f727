/**
 * The buffer appends are framed into, written to the active segment with one write per group.
 * It lives in the memory of a WebAssembly instance (crc32c-wasm.ts) so the checksum of each frame
 * is computed where the frame is, with no copy; without WebAssembly it is a plain Buffer framed
 * by record-format.ts. Either way the bytes are identical.
 */

import type { Crc32cWasmExports } from './crc32c-wasm.js';
import { instantiateCrc32c, WASM_TABLE_BYTES } from './crc32c-wasm.js';
import { RECORD_BYTES_MAX, RECORD_HEADER_BYTES, WRITE_BUFFER_BYTES } from './limits.js';
import type { LogRecord } from './log-record.js';
import { encodeRecord } from './record-format.js';

/** Capacity: a full group, or one largest record alone. */
export const FRAME_BUFFER_BYTES = Math.max(WRITE_BUFFER_BYTES, RECORD_HEADER_BYTES + RECORD_BYTES_MAX);

/** A fixed-size framing buffer; see the file comment. */
export class FrameBuffer {
  /** The framed bytes, FRAME_BUFFER_BYTES long. */
  readonly bytes: Buffer;
  private readonly wasm: Crc32cWasmExports | null;

  constructor() {
    const instance = instantiateCrc32c(FRAME_BUFFER_BYTES);
    this.wasm = instance?.exports ?? null;
    this.bytes =
      instance === null
        ? Buffer.allocUnsafe(FRAME_BUFFER_BYTES)
        : Buffer.from(instance.memory.buffer, WASM_TABLE_BYTES, FRAME_BUFFER_BYTES);
  }

  /**
   * Frames `record` at `pos` (the caller made room for RECORD_HEADER_BYTES + its payload, and
   * checked its fields as checkBatch does). Returns the CRC written.
   */
  frame(pos: number, record: LogRecord): number {
    const wasm = this.wasm;
    const payload = record.payload;
    if (wasm === null) return encodeRecord(this.bytes, pos, record.index, record.term, record.type, payload);
    this.bytes.set(payload, pos + RECORD_HEADER_BYTES);
    return wasm.frame(WASM_TABLE_BYTES + pos, payload.length, record.index, record.term, record.type) >>> 0;
  }
}
