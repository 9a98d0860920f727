/**
 * Resetting a log to empty-at-`nextIndex` atomically (a snapshot was installed). A marker file
 * (`reset-pending`, written as an AtomicFile) is made durable first; then every segment and index
 * file is removed, the empty segment `nextIndex` is created, the directory is fsynced, and the
 * marker removed (fsynced again). A crash before the marker is durable leaves the old log; after
 * it, open() finds the marker and completes the reset. Either way: all or nothing.
 */
import path from 'node:path';
import { LogClusterError } from '../errors.js';
import { AtomicFile } from './atomic-file.js';
import { ioError } from './io-error.js';
import { readU64, writeU64 } from './record-format.js';
import { INDEX_SUFFIX, parseSegmentName, SEGMENT_NAME_DIGITS } from './segment.js';
import type { SegmentStore } from './segment-store.js';

/** Name of the marker of an interrupted reset. */
export const RESET_MARKER_NAME = 'reset-pending';

const INDEX_NAME = new RegExp(`^\\d{${SEGMENT_NAME_DIGITS}}\\${INDEX_SUFFIX}$`);

function marker(store: SegmentStore): AtomicFile {
  return new AtomicFile(store.fs, path.join(store.dir, RESET_MARKER_NAME));
}

/** The directory's entries; an unreadable directory is STORAGE_IO. */
export function listDir(store: SegmentStore): string[] {
  try {
    return store.fs.readdir(store.dir);
  } catch (error) {
    throw ioError(error, 'listing', store.dir);
  }
}

/** True for names of segment and index files. */
export function isLogFileName(name: string): boolean {
  return parseSegmentName(name) !== undefined || INDEX_NAME.test(name);
}

/** Resets the log in `store` to empty at `nextIndex`, durably. Returns the file names removed. */
export async function resetLog(store: SegmentStore, nextIndex: number): Promise<string[]> {
  const bytes = new Uint8Array(8);
  writeU64(bytes, 0, nextIndex);
  await marker(store).write(bytes);
  return completeReset(store, nextIndex);
}

/** The nextIndex of an interrupted reset, or undefined when none is pending. */
export async function pendingReset(store: SegmentStore): Promise<number | undefined> {
  const bytes = await marker(store).read();
  if (bytes === undefined) return undefined;
  const nextIndex = bytes.length === 8 ? readU64(bytes, 0) : 0;
  if (!Number.isSafeInteger(nextIndex) || nextIndex < 1) {
    throw new LogClusterError(
      'STORAGE_CORRUPT',
      `${RESET_MARKER_NAME} in ${store.dir} holds no valid index`,
      {
        path: path.join(store.dir, RESET_MARKER_NAME),
      },
    );
  }
  return nextIndex;
}

/** Steps after the marker is durable (also run by open() when it finds the marker). */
export async function completeReset(store: SegmentStore, nextIndex: number): Promise<string[]> {
  store.discardWrites();
  for (const seg of store.segments) store.retire(seg);
  store.segments.length = 0;
  const removed = listDir(store).filter(isLogFileName).sort().reverse();
  for (const name of removed) store.unlink(path.join(store.dir, name), false);
  store.createSegment(nextIndex);
  await store.syncDir();
  store.unlink(path.join(store.dir, RESET_MARKER_NAME), true);
  store.dirDirty = false;
  await store.syncDir();
  return removed;
}
