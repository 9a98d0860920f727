import test from 'ava';
import { LogClusterError } from '../../lib/errors.js';
import { SegmentedLog } from '../../lib/storage/index.js';
import { SimFileSystem } from '../../lib/testing/index.js';
import { rec, recs, sameRecord } from './helpers.js';

const DIR = '/data/log';
const OPTIONS = { segmentBytesMax: 400 };

test('ENOSPC on write rejects with DISK_FULL and fails the log until reopened', async (t) => {
  const fs = new SimFileSystem();
  const { log } = await SegmentedLog.open(fs, DIR, OPTIONS);
  await log.append(recs(1, 10));
  fs.setFull(true);
  const error = await t.throwsAsync(log.append(recs(11, 12)), { instanceOf: LogClusterError });
  t.is(error?.code, 'DISK_FULL');
  fs.setFull(false);
  const again = await t.throwsAsync(log.append(recs(13, 13)));
  t.is((again as LogClusterError).code, 'DISK_FULL', 'a failed log refuses later writes');
  await t.throwsAsync(log.truncateAfter(5));
  await t.throwsAsync(log.reset(100));
  await t.throwsAsync(log.dropPrefix(5));
  await log.close();
  const { log: reopened } = await SegmentedLog.open(fs, DIR, OPTIONS);
  t.is(reopened.lastIndex, 10, 'only what was acknowledged is there');
  await reopened.append(recs(11, 12));
  t.true(sameRecord(reopened.read(12), rec(12)));
});

test('ENOSPC while creating the next segment is DISK_FULL', async (t) => {
  const fs = new SimFileSystem();
  const { log } = await SegmentedLog.open(fs, DIR, OPTIONS);
  await log.append(recs(1, 10));
  fs.setFull(true);
  const error = await t.throwsAsync(log.append(recs(11, 40)));
  t.is((error as LogClusterError).code, 'DISK_FULL');
});

test('EIO from fdatasync rejects every waiting append with STORAGE_IO, and none acks afterwards', async (t) => {
  const fs = new SimFileSystem();
  const { log } = await SegmentedLog.open(fs, DIR, OPTIONS);
  await log.append(recs(1, 5));
  fs.failNextSyncs('EIO', 1);
  const results = await Promise.allSettled([log.append([rec(6)]), log.append([rec(7)])]);
  for (const r of results) {
    t.is(r.status, 'rejected');
    if (r.status === 'rejected') t.is((r.reason as LogClusterError).code, 'STORAGE_IO');
  }
  const later = await t.throwsAsync(log.append([rec(8)]));
  t.is((later as LogClusterError).code, 'STORAGE_IO');
  await log.close();
});

test('a failed write is never acknowledged even when a later sync succeeds', async (t) => {
  const fs = new SimFileSystem();
  const { log } = await SegmentedLog.open(fs, DIR, OPTIONS);
  const ok = log.append(recs(1, 3));
  await ok;
  fs.failNextWrites('EIO', 1);
  const failed = log.append(recs(4, 6));
  const after = log.append(recs(7, 8));
  const settled = await Promise.allSettled([failed, after]);
  t.deepEqual(
    settled.map((s) => s.status),
    ['rejected', 'rejected'],
  );
  fs.crash();
  const { log: reopened } = await SegmentedLog.open(fs, DIR, OPTIONS);
  t.is(reopened.lastIndex, 3);
});

test('an open that cannot create its first segment is DISK_FULL, and works once space is back', async (t) => {
  const fs = new SimFileSystem();
  fs.setFull(true);
  const error = await t.throwsAsync(SegmentedLog.open(fs, DIR, OPTIONS));
  t.is((error as LogClusterError).code, 'DISK_FULL');
  fs.setFull(false);
  const { log } = await SegmentedLog.open(fs, DIR, OPTIONS);
  t.is(log.lastIndex, 0);
});
