/**
 * Reading and writing the checkpoint file through the FileSystem interface (so the simulated disk
 * can lose or tear it in tests). A write goes to `<path>.tmp`, is fsynced, renamed over `<path>`
 * and the directory fsynced, as AtomicFile does, but for a file of tens of megabytes: the
 * checksum and the writes run in slices with a turn of the event loop between them, so a big
 * checkpoint never holds the node's clock or its clients for long.
 */

import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ATOMIC_TEMP_SUFFIX } from '../storage/atomic-file.js';
import { crc32c, type FileSystem } from '../storage/index.js';
import {
  CHECKPOINT_BYTES_MAX,
  CHECKPOINT_HEADER_BYTES,
  type Checkpoint,
  checkHeader,
  decodeCheckpoint,
  encodeCheckpoint,
} from './checkpoint.js';

/** Bytes checksummed or written per slice (~4 ms of work each): the longest event-loop hold. */
export const CHECKPOINT_SLICE_BYTES = 4 * 1024 * 1024;

/** What reading found: a usable checkpoint, or why there is none. */
export type CheckpointRead = { readonly checkpoint: Checkpoint } | { readonly missing: string };

/**
 * Reads and verifies the checkpoint at `file`. Never throws for a missing, short, damaged or
 * foreign file: it reports why instead (the caller replays the log).
 */
export function readCheckpoint(fs: FileSystem, file: string): CheckpointRead {
  let fd: number;
  try {
    fd = fs.open(file, 'existing');
  } catch (error) {
    return { missing: `it cannot be opened (${(error as NodeJS.ErrnoException).code ?? error})` };
  }
  try {
    const size = fs.size(fd);
    if (size > CHECKPOINT_HEADER_BYTES + CHECKPOINT_BYTES_MAX) return { missing: `it is ${size} bytes long` };
    const header = new Uint8Array(Math.min(size, CHECKPOINT_HEADER_BYTES));
    readFully(fs, fd, header, 0);
    const head = checkHeader(header);
    if (typeof head === 'string') return { missing: head };
    if (size !== CHECKPOINT_HEADER_BYTES + head.bodyBytes)
      return { missing: 'its length does not match (torn?)' };
    const bytes = Buffer.allocUnsafe(size);
    if (readFully(fs, fd, bytes, 0) !== size) return { missing: 'it ends early' };
    const checkpoint = decodeCheckpoint(bytes);
    return typeof checkpoint === 'string' ? { missing: checkpoint } : { checkpoint };
  } catch (error) {
    return { missing: `it cannot be read (${(error as NodeJS.ErrnoException).code ?? error})` };
  } finally {
    fs.close(fd);
  }
}

/**
 * Durably replaces the checkpoint at `file` (temp, fsync, rename, directory fsync), in slices
 * that yield to the event loop. Resolves with the bytes written; rejects on an I/O error, leaving
 * the previous checkpoint in place. Calls must not overlap.
 */
export async function writeCheckpoint(fs: FileSystem, file: string, checkpoint: Checkpoint): Promise<number> {
  const encoded = await encodeCheckpoint(checkpoint, slicedCrc);
  if (encoded.bytes > CHECKPOINT_HEADER_BYTES + CHECKPOINT_BYTES_MAX) {
    throw new RangeError(`a checkpoint of ${encoded.bytes} bytes is past CHECKPOINT_BYTES_MAX`);
  }
  const temp = file + ATOMIC_TEMP_SUFFIX;
  const fd = fs.open(temp, 'replace');
  try {
    let at = 0;
    for (const part of encoded.parts) {
      for (let from = 0; from < part.length; from += CHECKPOINT_SLICE_BYTES) {
        const length = Math.min(CHECKPOINT_SLICE_BYTES, part.length - from);
        fs.write(fd, part, from, length, at);
        at += length;
        // Flush each full slice on its own: one flush of tens of MB at the end would queue the
        // log's own fdatasyncs behind it for hundreds of ms (a stall every replica would share).
        if (length === CHECKPOINT_SLICE_BYTES) await fs.datasync(fd);
      }
    }
    await fs.fsync(fd);
  } finally {
    fs.close(fd);
  }
  fs.rename(temp, file);
  await fs.syncDir(path.dirname(file));
  return encoded.bytes;
}

/** CRC32C over the parts, a slice per event-loop turn. */
async function slicedCrc(parts: readonly Uint8Array[]): Promise<number> {
  let crc = 0;
  for (const part of parts) {
    for (let from = 0; from < part.length; from += CHECKPOINT_SLICE_BYTES) {
      const to = Math.min(part.length, from + CHECKPOINT_SLICE_BYTES);
      crc = crc32c(part, from, to, crc);
      if (to - from === CHECKPOINT_SLICE_BYTES) await nextTurn();
    }
  }
  return crc;
}

function readFully(fs: FileSystem, fd: number, into: Uint8Array, position: number): number {
  let got = 0;
  while (got < into.length) {
    const n = fs.read(fd, into, got, into.length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}
