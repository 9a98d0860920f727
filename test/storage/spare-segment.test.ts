import test from 'ava';
import {
  SPARE_PREPARE_AT_FILL,
  SPARE_READY_AT_FILL,
  SPARE_SEGMENT_NAME,
  SPARE_STEP_BYTES,
  SPARE_STEPS_MIN,
  SpareSegment,
} from '../../lib/storage/spare-segment.js';
import { SimFileSystem } from '../../lib/testing/index.js';
import { drain } from './helpers.js';

const DIR = '/node1/log';
const SPARE = `${DIR}/${SPARE_SEGMENT_NAME}`;
/** Whole steps of SPARE_STEP_BYTES. */
const BYTES = SPARE_STEPS_MIN * SPARE_STEP_BYTES;

async function setup() {
  const fs = new SimFileSystem({ preallocation: true });
  await fs.mkdir(DIR);
  return { fs, spare: new SpareSegment(fs, DIR, BYTES) };
}

/** Lets every step the spare wants run to the end. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await drain();
}

/** The fill at which `share` of the way from SPARE_PREPARE_AT_FILL to SPARE_READY_AT_FILL is done. */
const fillAt = (share: number) =>
  SPARE_PREPARE_AT_FILL + share * (SPARE_READY_AT_FILL - SPARE_PREPARE_AT_FILL);

test('zeros are written step by step at the pace of the fill, complete and durable before the roll', async (t) => {
  const { fs, spare } = await setup();
  spare.prepare(SPARE_PREPARE_AT_FILL / 2);
  await settle();
  t.false(fs.exists(SPARE), 'nothing below SPARE_PREPARE_AT_FILL');
  spare.prepare(fillAt(0.01));
  await settle();
  t.is(fs.fileBytes(SPARE)?.length, SPARE_STEP_BYTES, 'one step for a small share');
  spare.prepare(fillAt(0.5));
  await settle();
  const half = fs.fileBytes(SPARE)!.length;
  t.true(
    half >= BYTES / 2 && half <= BYTES / 2 + SPARE_STEP_BYTES,
    `half the zeros at half the way (+ one step at most): ${half}`,
  );
  t.is(spare.take(`${DIR}/next.log`), undefined, 'not ready before it is complete');
  spare.prepare(fillAt(1));
  await settle();
  const before = fs.counters.datasyncs;
  const fd = spare.take(`${DIR}/next.log`);
  t.not(fd, undefined);
  t.false(fs.exists(SPARE));
  t.is(fs.counters.datasyncs, before, 'taking it syncs nothing more');
  fs.crash();
  const zeros = fs.fileBytes(`${DIR}/next.log`);
  t.is(zeros, undefined, 'the rename is not durable until the directory fsync (the log does that)');
});

test('every step is made durable before the next one starts', async (t) => {
  const { fs, spare } = await setup();
  spare.prepare(fillAt(1));
  await settle();
  t.true(fs.counters.datasyncs >= BYTES / SPARE_STEP_BYTES, 'one datasync per step');
  await fs.syncDir(DIR);
  fs.crash();
  t.is(fs.fileBytes(SPARE)?.length, BYTES);
  t.true(fs.fileBytes(SPARE)!.every((b) => b === 0));
});

test('a failed step gives up until the next roll, leaving no file behind', async (t) => {
  const { fs, spare } = await setup();
  fs.failNextWrites('EIO');
  spare.prepare(fillAt(0.3));
  await settle();
  t.false(fs.exists(SPARE), 'removed after the failure');
  spare.prepare(fillAt(0.9));
  await settle();
  t.false(fs.exists(SPARE), 'no retry for this segment');
  t.is(spare.take(`${DIR}/next.log`), undefined, 'the roll creates a file instead');
  spare.prepare(fillAt(1));
  await settle();
  t.is(fs.fileBytes(SPARE)?.length, BYTES, 'tried again for the next segment');
});

test('dispose during a step removes the spare once the step ends', async (t) => {
  const { fs, spare } = await setup();
  spare.prepare(fillAt(1));
  const disposed = spare.dispose();
  await disposed;
  t.false(fs.exists(SPARE));
  t.is(spare.take(`${DIR}/next.log`), undefined);
  spare.prepare(fillAt(1));
  await settle();
  t.false(fs.exists(SPARE), 'no preparation after dispose');
});
