/**
 * Small sync rounds fdatasync on the event loop (FileSystem.datasyncNow) when no other round runs;
 * everything else still goes through the asynchronous round. Real files: the point is which
 * flush the log calls and that the records are on disk afterwards.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { GroupCommit } from '../../lib/storage/group-commit.js';
import { NodeFileSystem, SegmentedLog } from '../../lib/storage/index.js';
import {
  INLINE_SYNC_BYTES_MAX,
  INLINE_SYNC_SLOW_MS,
  LEADER_INLINE_SYNC_BYTES_MAX,
  RECORD_HEADER_BYTES,
  ZERO_AHEAD_BYTES,
} from '../../lib/storage/limits.js';
import { rec, recs, sameRecord } from './helpers.js';

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'logcluster-inline-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** NodeFileSystem counting its two kinds of fdatasync; `failNow` makes the synchronous one throw. */
class CountingFileSystem extends NodeFileSystem {
  asyncSyncs = 0;
  inlineSyncs = 0;
  failNow = false;
  /** Extra milliseconds each synchronous fdatasync takes (a busy disk). */
  slowNowMs = 0;

  override datasync(fd: number): Promise<void> {
    this.asyncSyncs++;
    return super.datasync(fd);
  }

  override datasyncNow(fd: number): void {
    this.inlineSyncs++;
    if (this.failNow) throw Object.assign(new Error('simulated EIO'), { code: 'EIO' });
    super.datasyncNow(fd);
    const until = performance.now() + this.slowNowMs;
    while (performance.now() < until); // the disk is slow: the event loop waits, as it would
  }
}

/** A log whose inline flushes never count as slow (a loaded CI disk must not switch them off) unless `slowMs` says. */
async function openLog(
  t: { teardown(fn: () => void): void },
  cfs: CountingFileSystem,
  inlineMax?: number,
  slowMs = 3_600_000,
) {
  const dir = tempDir(t);
  const { log } = await SegmentedLog.open(cfs, dir, {
    inlineSyncBytesMax: inlineMax,
    inlineSyncSlowMs: slowMs,
  });
  t.teardown(() => log.close().catch(() => undefined));
  await log.append([rec(1)]); // the first round also fsyncs the directory (segment created)
  return { log, dir };
}

test('a small append is fdatasynced inline, a big one uses the thread pool, a leader inlines only tiny ones', async (t) => {
  const cfs = new CountingFileSystem();
  const { log, dir } = await openLog(t, cfs);
  const before = { a: cfs.asyncSyncs, i: cfs.inlineSyncs };
  await log.append(recs(2, 5));
  t.is(cfs.inlineSyncs - before.i, 1);
  t.is(cfs.asyncSyncs, before.a);

  const big = Array.from({ length: 4 }, (_, k) => rec(6 + k, 1, 0, INLINE_SYNC_BYTES_MAX / 2));
  await log.append(big);
  t.is(cfs.inlineSyncs - before.i, 1, 'a group over INLINE_SYNC_BYTES_MAX is not synced inline');
  t.true(cfs.asyncSyncs > before.a);

  log.leading = true; // a leader syncs inline only up to LEADER_INLINE_SYNC_BYTES_MAX
  const asyncBefore = cfs.asyncSyncs;
  await log.append([rec(10, 1, 0, LEADER_INLINE_SYNC_BYTES_MAX)]);
  t.is(cfs.inlineSyncs - before.i, 1);
  t.true(cfs.asyncSyncs > asyncBefore);
  await log.append([rec(11)]);
  t.is(cfs.inlineSyncs - before.i, 2);
  await log.close();

  const { log: reopened } = await SegmentedLog.open(new NodeFileSystem(), dir);
  t.is(reopened.lastIndex, 11);
  for (let i = 2; i <= 5; i++) t.true(sameRecord(reopened.readRange(i, i + 1, 1 << 20)[0], rec(i)));
  await reopened.close();
});

test('a small round that grows the file writes zeros ahead and uses the thread pool; the next ones overwrite them inline', async (t) => {
  const cfs = new CountingFileSystem();
  const { log, dir } = await openLog(t, cfs);
  const file = path.join(dir, fs.readdirSync(dir).find((name) => name.endsWith('.log'))!);
  const dataBytes = () => log.stats().bytes;
  t.is(fs.statSync(file).size, dataBytes() + ZERO_AHEAD_BYTES, 'the first append wrote a step of zeros');
  // Fill up to 100 bytes short of the zeros' end with big appends (thread pool rounds).
  let index = 2;
  const chunk = 64 * 1024;
  while (fs.statSync(file).size - dataBytes() > chunk + RECORD_HEADER_BYTES + 100) {
    await log.append([rec(index++, 1, 0, chunk)]);
  }
  const rest = fs.statSync(file).size - dataBytes() - RECORD_HEADER_BYTES - 100;
  await log.append([rec(index++, 1, 0, rest)]);
  t.is(fs.statSync(file).size - dataBytes(), 100);

  const before = { a: cfs.asyncSyncs, i: cfs.inlineSyncs };
  await log.append([rec(index++, 1, 0, 200)]); // small, but past the zeros
  t.is(cfs.inlineSyncs, before.i, 'the round flushing a step of zeros is not inline');
  t.is(cfs.asyncSyncs, before.a + 1);
  t.is(fs.statSync(file).size, dataBytes() + ZERO_AHEAD_BYTES);
  await log.append([rec(index++, 1, 0, 200)]);
  t.is(cfs.inlineSyncs, before.i + 1, 'appends into the zeros are small rounds again');
  t.is(fs.statSync(file).size, dataBytes() + ZERO_AHEAD_BYTES - 200 - RECORD_HEADER_BYTES);
  await log.close();

  const { log: reopened, report } = await SegmentedLog.open(new NodeFileSystem(), dir);
  t.is(report.truncatedTail, null);
  t.is(reopened.lastIndex, index - 1);
  t.true(sameRecord(reopened.read(index - 1), rec(index - 1, 1, 0, 200)));
  await reopened.close();
});

test('after a slow inline fdatasync, small rounds go to the thread pool for a while', async (t) => {
  const cfs = new CountingFileSystem();
  const { log } = await openLog(t, cfs, undefined, INLINE_SYNC_SLOW_MS);
  cfs.slowNowMs = INLINE_SYNC_SLOW_MS + 3;
  // Inline and slow, unless a flush of openLog was already slow on a loaded disk (then it is off).
  await log.append([rec(2)]);
  t.true(cfs.inlineSyncs >= 1);
  const inlineAfterSlow = cfs.inlineSyncs;
  const asyncBefore = cfs.asyncSyncs;
  await log.append([rec(3)]);
  await log.append([rec(4)]);
  t.is(cfs.inlineSyncs, inlineAfterSlow, 'no inline flush right after a slow one');
  t.is(cfs.asyncSyncs, asyncBefore + 2);
});

test('inlineSyncBytesMax 0 never syncs inline', async (t) => {
  const cfs = new CountingFileSystem();
  const { log } = await openLog(t, cfs, 0);
  await log.append(recs(2, 3));
  t.is(cfs.inlineSyncs, 0);
  t.true(cfs.asyncSyncs >= 2);
});

test('a failed inline fdatasync fails the append and every later one', async (t) => {
  const cfs = new CountingFileSystem();
  const { log } = await openLog(t, cfs);
  cfs.failNow = true;
  await t.throwsAsync(log.append([rec(2)]), { code: 'STORAGE_IO' });
  await t.throwsAsync(log.append([rec(3)]));
});

test('GroupCommit: roundNow runs only while no round is in flight, and settles its callers', async (t) => {
  let asyncRounds = 0;
  let nowRounds = 0;
  const releases: Array<() => void> = [];
  const gc = new GroupCommit({
    round: () => {
      asyncRounds++;
      return new Promise<void>((resolve) => releases.push(resolve));
    },
    roundNow: () => {
      nowRounds++;
      return nowRounds > 1; // the first one declines: it goes asynchronous
    },
    pendingBytes: () => 0,
    changesDirectory: () => false,
    writeAhead: () => undefined,
    onFailure: () => undefined,
  });
  const first = gc.barrier();
  await new Promise((resolve) => setImmediate(resolve));
  t.is(nowRounds, 1);
  t.is(asyncRounds, 1, 'declined: an asynchronous round runs');
  const second = gc.barrier(); // a round is in flight: a second async round, no roundNow
  await new Promise((resolve) => setImmediate(resolve));
  t.is(nowRounds, 1);
  t.is(asyncRounds, 2);
  for (const release of releases) release();
  await Promise.all([first, second]);
  await gc.idle();
  await gc.barrier();
  t.is(nowRounds, 2, 'idle again: the round ran inline');
  t.is(asyncRounds, 2);
});
