/**
 * One group-commit round over a SegmentStore: write what is buffered, fdatasync every segment
 * written since the previous round (in index order, so a later segment is never durable before an
 * earlier one), make the new index files durable, then fsync the directory if a segment file was
 * created or removed, after the data of every segment but the active one is durable.
 */
import { ioError } from './io-error.js';
import type { SegmentStore, StoredSegment } from './segment-store.js';

/**
 * Runs one round. `previous` settles when every earlier round has; a round that fsyncs the
 * directory awaits it first (GroupCommit also runs such a round alone).
 */
export async function syncRound(store: SegmentStore, previous: Promise<void>): Promise<void> {
  store.flushWrites();
  const list = store.takeDirty();
  const dirDirty = store.dirDirty;
  store.dirDirty = false;
  await syncSegments(store, list);
  await syncIndexFiles(store);
  if (!dirDirty) return;
  await previous;
  // The directory fsync makes every entry created so far durable, including segments rolled to
  // while this round ran: their predecessors' data must be durable first, or a crash could
  // leave a later segment behind an earlier one's torn tail.
  for (;;) {
    const behind = store.takeDirty((seg) => seg !== store.active);
    if (behind.length === 0) break;
    await syncSegments(store, behind);
  }
  await store.syncDir();
}

/**
 * Runs a small round (SegmentStore.isSmallRound) on the calling thread with the file system's
 * synchronous fdatasync; false, doing nothing, when the round is not small or the file system has
 * none. The caller makes sure no other round is running. Throws the round's I/O error.
 */
export function syncRoundNow(store: SegmentStore, bytesMax: number): boolean {
  const fs = store.fs;
  if (fs.datasyncNow === undefined || !store.isSmallRound(bytesMax)) return false;
  store.flushWrites();
  for (const seg of store.takeDirty()) {
    try {
      fs.datasyncNow(seg.fd);
    } catch (error) {
      throw ioError(error, 'syncing', seg.path);
    }
  }
  return true;
}

/** fdatasyncs `list` in index order; their handles stay open meanwhile. */
async function syncSegments(store: SegmentStore, list: StoredSegment[]): Promise<void> {
  if (list.length > 1) list.sort((a, b) => a.firstIndex - b.firstIndex);
  for (const seg of list) seg.syncing++;
  try {
    for (const seg of list) {
      if (seg.retired) continue;
      try {
        await store.fs.datasync(seg.fd);
      } catch (error) {
        throw ioError(error, 'syncing', seg.path);
      }
    }
  } finally {
    for (const seg of list) {
      seg.syncing--;
      store.releaseAfterSync(seg);
    }
  }
}

/** fdatasyncs and closes the index files written since the last round; failures only cost a rebuild. */
async function syncIndexFiles(store: SegmentStore): Promise<void> {
  for (const f of store.takeIndexFiles()) {
    try {
      await store.fs.datasync(f.fd);
    } catch {
      // A lost index file is rebuilt at the next open.
    }
    try {
      store.fs.close(f.fd);
    } catch {
      // Already invalid (a simulated crash): nothing to release.
    }
  }
}
