import test from 'ava';
import { AssertionError } from '../../lib/assert.js';
import { LogClusterError } from '../../lib/errors.js';
import {
  BATCH_RECORDS_MAX,
  RECORD_BYTES_MAX,
  SegmentedLog,
  type SegmentedLogOptions,
  segmentName,
} from '../../lib/storage/index.js';
import { RECORD_HEADER_BYTES, ZERO_AHEAD_BYTES } from '../../lib/storage/limits.js';
import { SimFileSystem } from '../../lib/testing/index.js';
import { drain, rec, recs, sameRecord } from './helpers.js';

const DIR = '/node1/log';
const SMALL = { segmentBytesMax: 512, sparseIndexIntervalBytes: 64, tailCacheRecordsMax: 4 };

async function fresh(options: Partial<SegmentedLogOptions> = SMALL) {
  const fs = new SimFileSystem();
  const { log, report } = await SegmentedLog.open(fs, DIR, options);
  return { fs, log, report };
}

test('a new log is empty at index 1 and creates its first segment durably', async (t) => {
  const { fs, log, report } = await fresh();
  t.is(log.firstIndex, 1);
  t.is(log.lastIndex, 0);
  t.is(report.records, 0);
  t.is(log.read(1), undefined);
  t.is(log.termAt(0), undefined);
  t.deepEqual(log.readRange(1, 5, 100), []);
  fs.crash();
  t.deepEqual(fs.readdir(DIR), [segmentName(1)]);
});

test('appends are visible at once, durable when resolved, and read back byte-identical', async (t) => {
  const { fs, log } = await fresh();
  const p = log.append(recs(1, 100, 3));
  t.is(log.lastIndex, 100);
  t.true(sameRecord(log.read(100), rec(100, 3)));
  await p;
  fs.crash();
  const { log: again, report } = await SegmentedLog.open(fs, DIR, SMALL);
  t.is(report.lastIndex, 100);
  t.true(report.segments > 5, 'small segments rolled');
  for (let i = 1; i <= 100; i++) t.true(sameRecord(again.read(i), rec(i, 3)), `record ${i}`);
  t.is(again.termAt(50), 3);
});

test('readRange stops after the record that exceeds maxBytes, and returns at least one', async (t) => {
  const { log } = await fresh();
  await log.append(recs(1, 60));
  const all = log.readRange(1, 61, Number.MAX_SAFE_INTEGER);
  t.deepEqual(
    all.map((r) => r.index),
    Array.from({ length: 60 }, (_, i) => i + 1),
  );
  for (const r of all) t.true(sameRecord(r, rec(r.index)));
  const one = log.readRange(7, 61, 0);
  t.deepEqual(
    one.map((r) => r.index),
    [7],
  );
  const sizes = all.slice(9).map((r) => r.payload.length);
  let total = 0;
  let expect = 0;
  for (const s of sizes) {
    total += s;
    expect++;
    if (total > 100) break;
  }
  t.is(log.readRange(10, 61, 100).length, expect);
  t.deepEqual(
    log.readRange(59, 100, 1e9).map((r) => r.index),
    [59, 60],
  );
  t.deepEqual(log.readRange(61, 70, 1e9), []);
  t.deepEqual(log.readRange(5, 5, 1e9), []);
});

test('termAt answers from memory across term changes', async (t) => {
  const { log } = await fresh();
  await log.append([...recs(1, 5, 1), ...recs(6, 9, 4)]);
  await log.append(recs(10, 12, 9));
  t.deepEqual(log.termRuns(), [
    [1, 1],
    [6, 4],
    [10, 9],
  ]);
  t.is(log.termAt(5), 1);
  t.is(log.termAt(6), 4);
  t.is(log.termAt(12), 9);
  t.is(log.termAt(13), undefined);
});

test('concurrent appends share fdatasyncs (group commit)', async (t) => {
  const { fs, log } = await fresh({ ...SMALL, segmentBytesMax: 1 << 20 });
  const before = fs.counters.datasyncs;
  await Promise.all(Array.from({ length: 200 }, (_, i) => log.append([rec(i + 1)])));
  const used = fs.counters.datasyncs - before;
  t.true(used >= 1 && used <= 3, `200 appends used ${used} fdatasyncs`);
});

test('an append resolves only after its bytes are durable', async (t) => {
  const { fs, log } = await fresh();
  let resolved = false;
  void log.append([rec(1)]).then(
    () => {
      resolved = true;
    },
    () => undefined,
  );
  fs.crash();
  await drain();
  t.false(resolved, 'the crash invalidated the sync, so the append never resolves');
  const { log: again } = await SegmentedLog.open(fs, DIR, SMALL);
  t.is(again.lastIndex, 0);
});

test('truncateAfter inside the active segment and across sealed ones', async (t) => {
  const { fs, log } = await fresh();
  await log.append(recs(1, 80));
  const segments = log.stats().segments;
  await log.truncateAfter(78);
  t.is(log.lastIndex, 78);
  t.is(log.read(79), undefined);
  await log.truncateAfter(20);
  t.true(log.stats().segments < segments);
  await log.append(recs(21, 30, 2, 1));
  t.true(sameRecord(log.read(21), rec(21, 2, 1)));
  fs.crash();
  const { log: again, report } = await SegmentedLog.open(fs, DIR, SMALL);
  t.is(again.lastIndex, 30);
  t.deepEqual(report.indexesRebuilt, []);
  for (let i = 1; i <= 20; i++) t.true(sameRecord(again.read(i), rec(i)));
  for (let i = 21; i <= 30; i++) t.true(sameRecord(again.read(i), rec(i, 2, 1)));
  t.is(again.termAt(25), 2);
  await again.truncateAfter(0);
  t.is(again.lastIndex, 0);
  t.is(again.firstIndex, 1);
});

test('calls without awaiting keep their order: truncate then append', async (t) => {
  const { fs, log } = await fresh();
  void log.append(recs(1, 50));
  const truncated = log.truncateAfter(10);
  const appended = log.append(recs(11, 15, 2, 1));
  t.true(sameRecord(log.read(12), rec(12, 2, 1)));
  await Promise.all([truncated, appended]);
  fs.crash();
  const { log: again } = await SegmentedLog.open(fs, DIR, SMALL);
  t.is(again.lastIndex, 15);
  t.true(sameRecord(again.read(12), rec(12, 2, 1)));
});

test('dropPrefix deletes whole segments only, never the active one', async (t) => {
  const { fs, log } = await fresh();
  await log.append(recs(1, 80));
  const first = await log.dropPrefix(40);
  t.true(first <= 40 && first > 1, `first ${first}`);
  t.is(log.firstIndex, first);
  t.is(log.read(first - 1), undefined);
  t.true(sameRecord(log.read(first), rec(first)));
  t.is(log.termAt(first - 1), undefined);
  t.is(await log.dropPrefix(1000), log.stats().segments === 1 ? log.firstIndex : log.firstIndex);
  t.is(log.stats().segments, 1);
  t.true(sameRecord(log.read(80), rec(80)));
  fs.crash();
  const { log: again } = await SegmentedLog.open(fs, DIR, SMALL);
  t.is(again.firstIndex, log.firstIndex);
  t.is(again.lastIndex, 80);
});

test('reset leaves an empty log at nextIndex that survives a crash', async (t) => {
  const { fs, log } = await fresh();
  await log.append(recs(1, 40));
  await log.reset(1000);
  t.is(log.firstIndex, 1000);
  t.is(log.lastIndex, 999);
  t.is(log.read(5), undefined);
  fs.crash();
  const { log: again, report } = await SegmentedLog.open(fs, DIR, SMALL);
  t.is(again.firstIndex, 1000);
  t.is(again.lastIndex, 999);
  t.is(report.segments, 1);
  await again.append(recs(1000, 1001, 7));
  t.is(again.termAt(1001), 7);
});

test('appends made during a reset queue behind it and are readable meanwhile', async (t) => {
  const { fs, log } = await fresh();
  await log.append(recs(1, 40));
  const reset = log.reset(50);
  const appended = log.append(recs(50, 59, 2));
  const truncated = log.truncateAfter(55);
  const appended2 = log.append(recs(56, 57, 3, 1));
  t.true(sameRecord(log.read(51), rec(51, 2)));
  t.true(sameRecord(log.read(57), rec(57, 3, 1)));
  t.deepEqual(
    log.readRange(50, 60, 1e9).map((r) => r.index),
    [50, 51, 52, 53, 54, 55, 56, 57],
  );
  const dropped = log.dropPrefix(52);
  await Promise.all([reset, appended, truncated, appended2]);
  t.is(await dropped, 50);
  fs.crash();
  const { log: again } = await SegmentedLog.open(fs, DIR, SMALL);
  t.is(again.firstIndex, 50);
  t.is(again.lastIndex, 57);
  t.true(sameRecord(again.read(56), rec(56, 3, 1)));
});

test('bounds: oversized records and batches are refused without effect', async (t) => {
  const { log } = await fresh();
  const big = { index: 1, term: 1, type: 0, payload: new Uint8Array(RECORD_BYTES_MAX + 1) };
  const e1 = await t.throwsAsync(log.append([big]), { instanceOf: LogClusterError });
  t.is(e1?.code, 'ENTRY_TOO_LARGE');
  const many = Array.from({ length: BATCH_RECORDS_MAX + 1 }, (_, i) => ({
    index: i + 1,
    term: 1,
    type: 0,
    payload: new Uint8Array(0),
  }));
  const e2 = await t.throwsAsync(log.append(many), { instanceOf: LogClusterError });
  t.is(e2?.code, 'BATCH_TOO_LARGE');
  t.is(log.lastIndex, 0);
  await log.append([rec(1)]);
  t.is(log.lastIndex, 1);
});

test('contract violations are assertions: gaps and decreasing terms', async (t) => {
  const { log } = await fresh();
  await log.append([rec(1, 5)]);
  t.throws(() => log.append([rec(3, 5)]), { instanceOf: AssertionError });
  t.throws(() => log.append([rec(2, 4)]), { instanceOf: AssertionError });
  t.throws(() => log.truncateAfter(-1), { instanceOf: AssertionError });
});

test('close waits for pending appends; later calls are STORAGE_CLOSED', async (t) => {
  const { fs, log } = await fresh();
  const pending = log.append(recs(1, 10));
  await log.close();
  await pending;
  await t.throwsAsync(log.append([rec(11)]), { message: /closed/, instanceOf: LogClusterError });
  t.throws(() => log.read(1), { instanceOf: LogClusterError });
  fs.crash();
  const { log: again } = await SegmentedLog.open(fs, DIR, SMALL);
  t.is(again.lastIndex, 10);
});

test('reads beyond the tail cache come from disk with CRC checks', async (t) => {
  const { log } = await fresh({ ...SMALL, tailCacheRecordsMax: 1 });
  await log.append(recs(1, 50));
  const a = log.read(10)!;
  const b = log.read(10)!;
  t.not(a, b, 'a fresh copy per disk read');
  t.true(sameRecord(a, rec(10)));
  t.deepEqual(log.stats().firstIndex, 1);
  t.true(log.stats().bytes > 0);
});

test('invalid options are INVALID_OPTION naming the field', async (t) => {
  const fs = new SimFileSystem();
  const e = await t.throwsAsync(SegmentedLog.open(fs, DIR, { segmentBytesMax: 3 }));
  t.is((e as LogClusterError).code, 'INVALID_OPTION');
  t.is((e as LogClusterError).details.field, 'segmentBytesMax');
});

test('a segment closed while sealed is reopened when a truncation makes it active again', async (t) => {
  const { fs, log } = await fresh({ ...SMALL, openSegmentsMax: 1 });
  await log.append(recs(1, 60));
  for (let i = 1; i <= 60; i++) log.read(i); // cycles the one open sealed handle
  await log.truncateAfter(5);
  await log.append(recs(6, 40, 2, 1));
  await log.close();
  const { log: again } = await SegmentedLog.open(fs, DIR, SMALL);
  t.is(again.lastIndex, 40);
  t.true(sameRecord(again.read(6), rec(6, 2, 1)));
});

test('dropPrefix during a blocking operation deletes nothing and returns the current first index', async (t) => {
  const { log } = await fresh();
  await log.append(recs(1, 80));
  const reset = log.reset(100);
  t.is(await log.dropPrefix(150), 100);
  await reset;
  t.is(log.firstIndex, 100);
});

test('with preallocation, rolls use a zero-filled spare and a clean reopen repairs nothing', async (t) => {
  const fs = new SimFileSystem({ preallocation: true });
  const options = { ...SMALL, segmentBytesMax: 2048 };
  const { log } = await SegmentedLog.open(fs, DIR, options);
  await log.append(recs(1, 5));
  await drain();
  t.false(fs.exists(`${DIR}/next-segment.spare`), 'no spare while the segment is far from full');
  for (let i = 6; i <= 200; i += 15) {
    await log.append(recs(i, Math.min(200, i + 14)));
    await drain(); // the next spare gets ready
  }
  const names = fs
    .readdir(DIR)
    .filter((n) => n.endsWith('.log'))
    .sort();
  const last = names[names.length - 1];
  t.is(fs.fileBytes(`${DIR}/${last}`)!.length, 2048, 'the active segment is the preallocated file');
  for (const sealed of names.slice(0, -1)) {
    t.true(fs.fileBytes(`${DIR}/${sealed}`)!.length <= 2048, 'sealed segments are cut to their records');
  }
  await log.close();
  t.false(fs.exists(`${DIR}/next-segment.spare`), 'close removes the spare');
  const { log: again, report } = await SegmentedLog.open(fs, DIR, options);
  t.is(report.truncatedTail, null);
  t.deepEqual(report.indexesRebuilt, []);
  for (let i = 1; i <= 200; i++) t.true(sameRecord(again.read(i), rec(i)));
  fs.crash({ tearLastWrite: true });
  const { report: afterCrash } = await SegmentedLog.open(fs, DIR, options);
  t.true(afterCrash.lastIndex >= 200, 'acknowledged records survive in preallocated segments');
});

test('after a reopen into a preallocated segment, records appended over its zeros read back and truncate', async (t) => {
  const fs = new SimFileSystem({ preallocation: true });
  const options = { segmentBytesMax: 2048 };
  const { log } = await SegmentedLog.open(fs, DIR, options);
  for (let i = 1; i <= 200; i += 5) {
    await log.append(recs(i, i + 4));
    await drain(); // the next spare gets ready
  }
  await log.close();
  const { log: again } = await SegmentedLog.open(fs, DIR, { ...options, tailCacheRecordsMax: 1 });
  await again.append(recs(201, 205));
  // Recovery's scan read ahead into the zeros; a stale read-ahead made this STORAGE_CORRUPT.
  await again.truncateAfter(203);
  t.is(again.lastIndex, 203);
  for (let i = 196; i <= 203; i++) t.true(sameRecord(again.read(i), rec(i)));
});

test('with preallocation, appends that grow the first segment write zeros ahead of them, which reopen and crashes skip', async (t) => {
  const fs = new SimFileSystem({ preallocation: true });
  const options = { segmentBytesMax: 4 * ZERO_AHEAD_BYTES };
  const file = `${DIR}/${segmentName(1)}`;
  const { log } = await SegmentedLog.open(fs, DIR, options);
  await log.append(recs(1, 10));
  const dataBytes = () => log.stats().bytes;
  const first = fs.fileBytes(file)!;
  t.is(first.length, dataBytes() + ZERO_AHEAD_BYTES, 'one step of zeros after the records');
  t.true(first.subarray(dataBytes()).every((b) => b === 0));

  const big = (i: number) => rec(i, 1, 0, 64 * 1024);
  let i = 11;
  while (dataBytes() + 64 * 1024 + RECORD_HEADER_BYTES <= first.length) await log.append([big(i++)]);
  t.is(fs.fileBytes(file)!.length, first.length, 'appends overwrite the zeros');
  await log.append([big(i++)]);
  t.is(fs.fileBytes(file)!.length, dataBytes() + ZERO_AHEAD_BYTES, 'a second step when the records reach it');
  while (i <= 30) await log.append([big(i++)]);

  await log.truncateAfter(20);
  t.is(fs.fileBytes(file)!.length, dataBytes(), 'a truncation cuts the zeros too');
  await log.append(recs(21, 25, 2));
  t.is(fs.fileBytes(file)!.length, dataBytes() + ZERO_AHEAD_BYTES, 'and the next growth writes a step again');
  await log.close();

  const { log: again, report } = await SegmentedLog.open(fs, DIR, options);
  t.is(report.truncatedTail, null, 'the zeros are not a torn tail');
  t.is(again.lastIndex, 25);
  t.true(sameRecord(again.read(20), big(20)));
  t.true(sameRecord(again.read(25), rec(25, 2)));
  await again.append(recs(26, 40, 2));
  await again.truncateAfter(39); // reads record 39 from the file, over what were zeros at open
  await again.append([rec(40, 2)]);
  fs.crash({ tearLastWrite: true });
  const { log: afterCrash } = await SegmentedLog.open(fs, DIR, options);
  t.is(afterCrash.lastIndex, 40, 'acknowledged appends into the zeros survive a crash');
  t.true(sameRecord(afterCrash.read(40), rec(40, 2)));
});
