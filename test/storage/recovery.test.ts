import path from 'node:path';
import test from 'ava';
import { LogClusterError } from '../../lib/errors.js';
import { RECORD_HEADER_BYTES, SegmentedLog, segmentName } from '../../lib/storage/index.js';
import { SimFileSystem } from '../../lib/testing/index.js';
import { rec, recs, sameRecord } from './helpers.js';

const DIR = '/data/log';
const OPTIONS = { segmentBytesMax: 600, sparseIndexIntervalBytes: 100 };
const seg = (first: number) => path.join(DIR, segmentName(first));
const index = (first: number) => seg(first).replace(/\.log$/, '.index');

/** A log of records 1..n on a SimFileSystem, closed cleanly; returns the segment first indexes. */
async function written(n: number) {
  const fs = new SimFileSystem();
  const { log } = await SegmentedLog.open(fs, DIR, OPTIONS);
  await log.append(recs(1, n));
  await log.close();
  const firsts = fs
    .readdir(DIR)
    .filter((f) => f.endsWith('.log'))
    .map((f) => Number(f.slice(0, 20)))
    .sort((a, b) => a - b);
  return { fs, firsts };
}

/** Byte offset of record `i` in the segment starting at `first` (payloads from helpers.rec). */
function offsetOf(first: number, i: number): number {
  let offset = 0;
  for (let k = first; k < i; k++) offset += RECORD_HEADER_BYTES + rec(k).payload.length;
  return offset;
}

test('a clean reopen uses every index file and reports nothing repaired', async (t) => {
  const { fs, firsts } = await written(120);
  t.true(firsts.length >= 4);
  const { log, report } = await SegmentedLog.open(fs, DIR, OPTIONS);
  t.deepEqual(report.indexesRebuilt, []);
  t.is(report.truncatedTail, null);
  t.deepEqual(report.removedFiles, []);
  t.is(report.records, 120);
  t.is(report.segments, firsts.length);
  for (let i = 1; i <= 120; i++) t.true(sameRecord(log.read(i), rec(i)));
});

test('a flipped byte mid-segment is STORAGE_CORRUPT naming segment, offset and index', async (t) => {
  const { fs, firsts } = await written(120);
  const first = firsts[1];
  const at = offsetOf(first, first + 2);
  fs.corrupt(seg(first), at + RECORD_HEADER_BYTES + 1);
  // The index file is valid, so open() trusts the segment; the read checks the CRC.
  const { log } = await SegmentedLog.open(fs, DIR, OPTIONS);
  const error = t.throws(() => log.read(first + 2), { instanceOf: LogClusterError });
  t.is(error?.code, 'STORAGE_CORRUPT');
  t.deepEqual(error?.details, { segment: segmentName(first), offset: at, index: first + 2 });
  t.throws(() => log.readRange(first, first + 5, 1e9), { message: new RegExp(segmentName(first)) });
  t.true(sameRecord(log.read(first + 1), rec(first + 1)), 'its neighbours still read');
  await log.close();
  // Without the index file, the rebuild scan finds it at open.
  fs.unlink(index(first));
  const error2 = await t.throwsAsync(SegmentedLog.open(fs, DIR, OPTIONS), { instanceOf: LogClusterError });
  t.is(error2?.code, 'STORAGE_CORRUPT');
  t.deepEqual(error2?.details, { segment: segmentName(first), offset: at, index: first + 2 });
});

test('corruption in the last segment followed by valid records is not mistaken for a torn tail', async (t) => {
  const { fs, firsts } = await written(120);
  const last = firsts[firsts.length - 1];
  const at = offsetOf(last, last + 1);
  fs.corrupt(seg(last), at + 9);
  const error = await t.throwsAsync(SegmentedLog.open(fs, DIR, OPTIONS), { instanceOf: LogClusterError });
  t.is(error?.code, 'STORAGE_CORRUPT');
  t.deepEqual(error?.details, { segment: segmentName(last), offset: at, index: last + 1 });
  t.regex(error?.message ?? '', /byte offset \d+/);
});

test('a damaged length field mid-segment is caught too', async (t) => {
  const { fs, firsts } = await written(120);
  const last = firsts[firsts.length - 1];
  const at = offsetOf(last, last + 1);
  fs.corrupt(seg(last), at + 2);
  const error = await t.throwsAsync(SegmentedLog.open(fs, DIR, OPTIONS));
  t.is((error as LogClusterError).code, 'STORAGE_CORRUPT');
});

test('a torn last record is truncated and reported', async (t) => {
  const { fs, firsts } = await written(120);
  const last = firsts[firsts.length - 1];
  const bytes = fs.fileBytes(seg(last))!;
  // Cut the segment in the middle of its last record, as a torn write leaves it.
  const fd = fs.open(seg(last), 'existing');
  fs.truncate(fd, bytes.length - 3);
  await fs.datasync(fd);
  fs.close(fd);
  const { log, report } = await SegmentedLog.open(fs, DIR, OPTIONS);
  t.is(log.lastIndex, 119);
  const lastOffset = offsetOf(last, 120);
  t.deepEqual(report.truncatedTail, {
    segment: segmentName(last),
    offset: lastOffset,
    bytesDropped: bytes.length - 3 - lastOffset,
    reason: 'record extends past the end of the file',
  });
  await log.append([rec(120, 1, 9)]);
  t.true(sameRecord(log.read(120), rec(120, 1, 9)));
});

test('a corrupt last record is truncated as a torn tail', async (t) => {
  const { fs, firsts } = await written(120);
  const last = firsts[firsts.length - 1];
  fs.corrupt(seg(last), offsetOf(last, 120) + 20);
  const { log, report } = await SegmentedLog.open(fs, DIR, OPTIONS);
  t.is(log.lastIndex, 119);
  t.is(report.truncatedTail?.reason, 'checksum mismatch');
});

test('zeros after the last record (the rest of a preallocated segment) end the log without a repair', async (t) => {
  const { fs, firsts } = await written(50);
  const last = firsts[firsts.length - 1];
  const fd = fs.open(seg(last), 'existing');
  const end = fs.size(fd);
  fs.write(fd, new Uint8Array(4096), 0, 4096, end);
  await fs.datasync(fd);
  fs.close(fd);
  const { log, report } = await SegmentedLog.open(fs, DIR, OPTIONS);
  t.is(log.lastIndex, 50);
  t.is(report.truncatedTail, null);
  t.is(fs.fileBytes(seg(last))!.length, end + 4096, 'the zeros stay for the appends to overwrite');
  await log.append([rec(51)]);
  await log.close();
  const { log: again } = await SegmentedLog.open(fs, DIR, OPTIONS);
  t.true(sameRecord(again.read(51), rec(51)));
});

test('a torn record followed by zeros is a torn tail', async (t) => {
  const { fs, firsts } = await written(50);
  const last = firsts[firsts.length - 1];
  const fd = fs.open(seg(last), 'existing');
  const end = fs.size(fd);
  const torn = new Uint8Array(4096);
  torn.set([9, 0, 0, 0, 1, 2, 3, 4, 51]);
  fs.write(fd, torn, 0, torn.length, end);
  await fs.datasync(fd);
  fs.close(fd);
  const { log, report } = await SegmentedLog.open(fs, DIR, OPTIONS);
  t.is(log.lastIndex, 50);
  t.deepEqual(
    report.truncatedTail && { offset: report.truncatedTail.offset, bytes: report.truncatedTail.bytesDropped },
    {
      offset: end,
      bytes: 4096,
    },
  );
});

test('deleted, damaged, stale or foreign index files are rebuilt and reported', async (t) => {
  const { fs, firsts } = await written(200);
  t.true(firsts.length >= 6);
  fs.unlink(index(firsts[0]));
  fs.corrupt(index(firsts[1]), 30);
  // Stale: the index of another segment copied over this one's.
  fs.rename(index(firsts[2]), index(firsts[3]));
  // Torn: the index file cut short.
  const fd = fs.open(index(firsts[4]), 'existing');
  fs.truncate(fd, 40);
  fs.close(fd);
  const { log, report } = await SegmentedLog.open(fs, DIR, OPTIONS);
  t.deepEqual(
    [...report.indexesRebuilt].sort(),
    [firsts[0], firsts[1], firsts[2], firsts[3], firsts[4]].map(segmentName),
  );
  for (let i = 1; i <= 200; i++) t.true(sameRecord(log.read(i), rec(i)));
  await log.close();
  const { report: again } = await SegmentedLog.open(fs, DIR, OPTIONS);
  t.deepEqual(again.indexesRebuilt, [], 'rebuilt files were written back');
});

test('an index file that disagrees with its segment length is not trusted', async (t) => {
  const { fs, firsts } = await written(120);
  // Append a valid-looking extra byte to a sealed segment: its index now describes a shorter file.
  const fd = fs.open(seg(firsts[1]), 'existing');
  fs.write(fd, new Uint8Array([1]), 0, 1, fs.size(fd));
  fs.close(fd);
  const error = await t.throwsAsync(SegmentedLog.open(fs, DIR, OPTIONS));
  t.is((error as LogClusterError).code, 'STORAGE_CORRUPT', 'the rescan finds the stray byte');
});

test('a missing middle segment is a gap: STORAGE_CORRUPT', async (t) => {
  const { fs, firsts } = await written(120);
  fs.unlink(seg(firsts[2]));
  const error = await t.throwsAsync(SegmentedLog.open(fs, DIR, OPTIONS));
  t.is((error as LogClusterError).code, 'STORAGE_CORRUPT');
  t.is((error as LogClusterError).details.segment, segmentName(firsts[3]));
});

test('empty trailing segments and orphan index files are removed and reported', async (t) => {
  const { fs, firsts } = await written(120);
  const last = firsts[firsts.length - 1];
  const fd = fs.open(path.join(DIR, segmentName(121)), 'create');
  fs.close(fd);
  const orphan = fs.open(path.join(DIR, '00000000000000099999.index'), 'create');
  fs.close(orphan);
  const { log, report } = await SegmentedLog.open(fs, DIR, OPTIONS);
  t.deepEqual([...report.removedFiles].sort(), [segmentName(121), '00000000000000099999.index']);
  t.is(log.lastIndex, 120);
  t.is(log.stats().segments, firsts.length);
  await log.append([rec(121)]);
  t.true(fs.exists(seg(last)));
});

test('a last segment torn down to nothing is removed and its predecessor becomes active', async (t) => {
  const { fs, firsts } = await written(120);
  const last = firsts[firsts.length - 1];
  const fd = fs.open(seg(last), 'existing');
  fs.truncate(fd, 7);
  fs.close(fd);
  const { log, report } = await SegmentedLog.open(fs, DIR, OPTIONS);
  t.is(log.lastIndex, last - 1);
  t.is(report.truncatedTail?.offset, 0);
  t.true(report.removedFiles.includes(segmentName(last)));
  t.false(fs.exists(index(firsts[firsts.length - 2])), 'the active segment keeps no index file');
  await log.append(recs(last, last + 30, 2));
  await log.close();
  const { log: again, report: r2 } = await SegmentedLog.open(fs, DIR, OPTIONS);
  t.deepEqual(r2.indexesRebuilt, []);
  t.is(again.termAt(last + 30), 2);
});

test('an interrupted reset is completed at open', async (t) => {
  const { fs } = await written(60);
  // The marker is durable but nothing else happened yet.
  const { AtomicFile } = await import('../../lib/storage/index.js');
  const marker = new Uint8Array(8);
  marker[0] = 77;
  await new AtomicFile(fs, path.join(DIR, 'reset-pending')).write(marker);
  const { log, report } = await SegmentedLog.open(fs, DIR, OPTIONS);
  t.is(log.firstIndex, 77);
  t.is(log.lastIndex, 76);
  t.true(report.removedFiles.includes('reset-pending'));
  t.deepEqual(fs.readdir(DIR), [segmentName(77)]);
});

test('reopening reads only index files, one header per sealed segment, and the last segment', async (t) => {
  const { fs, firsts } = await written(400);
  const sizes = new Map(firsts.map((f) => [segmentName(f), fs.fileBytes(seg(f))!.length]));
  const lastName = segmentName(firsts[firsts.length - 1]);
  const readBytes = new Map<string, number>();
  const opened = new Map<number, string>();
  const counting = Object.create(fs) as SimFileSystem;
  counting.open = (file, mode) => {
    const fd = fs.open(file, mode);
    opened.set(fd, path.basename(file));
    return fd;
  };
  counting.read = (fd, buffer, offset, length, position) => {
    const n = fs.read(fd, buffer, offset, length, position);
    const name = opened.get(fd)!;
    readBytes.set(name, (readBytes.get(name) ?? 0) + n);
    return n;
  };
  const { report } = await SegmentedLog.open(counting, DIR, OPTIONS);
  t.deepEqual(report.indexesRebuilt, []);
  for (const [name, size] of sizes) {
    const read = readBytes.get(name) ?? 0;
    if (name === lastName) t.is(read, size, 'the last segment is scanned in full');
    else t.true(read < size / 2, `${name}: read ${read} of ${size} bytes`);
  }
});
