import test from 'ava';
import type { ClusterConfig, Entry } from '../../lib/consensus/types.js';
import { isLogClusterError } from '../../lib/errors.js';
import { DedupWindow } from '../../lib/node/dedup-window.js';
import { encodeEntry } from '../../lib/node/entries/payload.js';
import { RaftStorage } from '../../lib/node/raft-storage.js';
import { Retention, type RetentionHost } from '../../lib/node/retention.js';
import { planRetention, type SegmentSpan } from '../../lib/node/retention-plan.js';
import { RetentionWindow } from '../../lib/node/retention-window.js';
import { StateMachine } from '../../lib/node/state-machine.js';
import { Prng } from '../../lib/prng.js';
import { SimFileSystem } from '../../lib/testing/sim-file-system.js';
import { FRAME_BYTES_MAX } from '../../lib/transport/wire.js';

const BOOT: ClusterConfig = { voters: ['a'], learners: [] };

function payload(id: string, atMs: number, message = `m ${id}`): Uint8Array {
  const original = { message, level: 'info' as const, source: 'test' };
  return encodeEntry(
    { id, timestampMs: undefined, original, originalJson: JSON.stringify(original) },
    { nodeId: 'a', nowMs: atMs },
  );
}

/** A log of `count` entries: ids repeat (duplicates), accept times wander back and forth. */
function randomEntries(seed: number, count: number, idSpace: number): Entry[] {
  const prng = new Prng(seed);
  let atMs = 1_000_000;
  const entries: Entry[] = [];
  for (let index = 1; index <= count; index++) {
    atMs += prng.nextInt(40) - 10; // mostly forward, sometimes back (another leader's clock)
    const noop = prng.nextInt(20) === 0;
    entries.push(
      noop
        ? { index, term: 1, type: 'noop', data: new Uint8Array(0) }
        : { index, term: 1, type: 'normal', data: payload(`id${prng.nextInt(idSpace)}`, atMs) },
    );
  }
  return entries;
}

async function storageWith(entries: Entry[], segmentBytesMax = 512) {
  const fs = new SimFileSystem({ prng: new Prng(7) });
  const storage = await RaftStorage.open(fs, '/n', BOOT, { segmentBytesMax });
  const last = entries[entries.length - 1].index;
  await storage.persist({
    entries,
    hardState: { term: 1, vote: 'a', commit: last },
    snapshot: null,
    mustSync: true,
  });
  return { fs, storage };
}

function machineFor(storage: () => RaftStorage, windowMax = 8, ageMs = 100): StateMachine {
  return new StateMachine({
    readEntry: (index) => {
      const s = storage();
      if (index < s.firstIndex() || index > s.lastIndex()) return undefined;
      const [e] = s.entries(index, index + 1, 0);
      return e.type === 'normal' ? { index, term: e.term, payload: e.data } : undefined;
    },
    dedupEntriesMax: windowMax,
    dedupAgeMs: ageMs,
  });
}

function applyAll(machine: StateMachine, entries: readonly Entry[]) {
  return entries.map((e) =>
    e.type === 'normal' ? machine.apply(e.index, e.term, e.data).duplicate : machine.skip(e.index),
  );
}

const seg = (firstIndex: number, lastIndex: number, bytes = 100): SegmentSpan => ({
  firstIndex,
  lastIndex,
  bytes,
});

test('plan: by size drops the oldest segments until the log fits, never the active one', (t) => {
  const segments = [seg(1, 10), seg(11, 20), seg(21, 30), seg(31, 40)];
  const base = { segments, snapshotIndex: 0, appliedIndex: 40, nowMs: 0, newestAcceptedAtMs: () => 0 };
  t.deepEqual(planRetention({ maxBytes: 250, maxAgeMs: 0 }, base)?.ends, [10, 20]);
  t.deepEqual(planRetention({ maxBytes: 1, maxAgeMs: 0 }, base)?.ends, [10, 20, 30]);
  t.is(planRetention({ maxBytes: 400, maxAgeMs: 0 }, base), null);
  // Never past the applied index: segment 21-30 holds unapplied entries.
  t.deepEqual(planRetention({ maxBytes: 1, maxAgeMs: 0 }, { ...base, appliedIndex: 25 })?.ends, [10, 20]);
});

test('plan: by age drops the oldest segments whose newest entry is older than the bound', (t) => {
  const segments = [seg(1, 10), seg(11, 20), seg(21, 30), seg(31, 40)];
  const newest: Record<number, number | undefined> = { 1: 100, 11: undefined, 21: 900, 31: 100 };
  const probed: number[] = [];
  const plan = planRetention(
    { maxBytes: 0, maxAgeMs: 500 },
    {
      segments,
      snapshotIndex: 0,
      appliedIndex: 40,
      nowMs: 1000,
      newestAcceptedAtMs: (s) => {
        probed.push(s.firstIndex);
        return newest[s.firstIndex];
      },
    },
  );
  // 1-10 is old, 11-20 holds no log entry, 21-30 is young: the walk stops there (a prefix only).
  t.deepEqual(plan?.ends, [10, 20]);
  t.is(plan?.byAge, 2);
  t.deepEqual(probed, [1, 11, 21]);
});

test('plan: segments already under the snapshot are dropped first and counted apart', (t) => {
  const segments = [seg(1, 10), seg(11, 20), seg(21, 30)];
  const plan = planRetention(
    { maxBytes: 1_000, maxAgeMs: 0 },
    { segments, snapshotIndex: 12, appliedIndex: 30, nowMs: 0, newestAcceptedAtMs: () => 0 },
  );
  t.deepEqual(plan, { ends: [10], bytes: 100, bySize: 0, byAge: 0, covered: 1 });
});

test('the window replayed to a boundary equals the state machine snapshot taken there, byte for byte', async (t) => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const entries = randomEntries(seed, 400, 30);
    const { storage } = await storageWith(entries);
    const machine = machineFor(() => storage);
    const snapshots: Uint8Array[] = [new Uint8Array(0)];
    for (const e of entries) {
      if (e.type === 'normal') machine.apply(e.index, e.term, e.data);
      else machine.skip(e.index);
      snapshots[e.index] = machine.snapshot();
    }
    const window = new RetentionWindow(() => machine.newDedupWindow());
    window.sync(storage);
    const boundaries = storage.segments().map((s) => s.lastIndex);
    t.true(boundaries.length > 5, 'small segments give many boundaries');
    for (const end of boundaries.slice(0, -1)) {
      while (window.index < end) window.advance(storage, end, 300);
      t.deepEqual(Buffer.from(window.snapshotData()), Buffer.from(snapshots[end]), `seed ${seed} at ${end}`);
    }
  }
});

/** A Retention over one storage and machine, with an injected clock. */
async function retentionRig(entries: Entry[], limits: { maxBytes: number; maxAgeMs: number }) {
  const { fs, storage } = await storageWith(entries);
  const host: RetentionHost = {
    storage,
    machine: machineFor(() => host.storage),
    storageError: null,
    driver: { exclusive: <T>(work: () => Promise<T>) => work() },
  };
  const decisions = applyAll(host.machine, entries);
  let nowMs = 0;
  const retention = new Retention(host, limits, { nowMs: () => nowMs, replayBytesPerRun: 1 });
  return { fs, host, retention, decisions, setNow: (ms: number) => (nowMs = ms) };
}

test('size retention compacts at a segment boundary: reads below answer COMPACTED, a restore decides alike', async (t) => {
  const entries = randomEntries(11, 300, 40);
  const { fs, host, retention, decisions } = await retentionRig(entries, { maxBytes: 3_000, maxAgeMs: 0 });
  const before = host.storage.segments();
  let event = await retention.runOnce();
  t.truthy(event);
  // replayBytesPerRun = 1: each run compacts one segment; run until the log fits.
  while (event !== null) event = await retention.runOnce();
  const after = host.storage.segments();
  const bytes = after.reduce((sum, s) => sum + s.bytes, 0);
  t.true(bytes <= 3_000, `log bytes ${bytes} within the bound`);
  const snap = host.storage.snapshot();
  t.true(
    before.some((s) => s.lastIndex === snap.index),
    'the snapshot sits on a segment boundary',
  );
  t.is(after[0].firstIndex, snap.index + 1, 'whole segments were deleted up to the snapshot');
  const stats = retention.stats();
  t.is(stats.segments_dropped, before.length - after.length);
  t.is(stats.compacted_before, snap.index + 1);
  const err = t.throws(() => host.machine.read({ kind: 'index', index: snap.index }));
  t.true(isLogClusterError(err) && err.code === 'COMPACTED');
  const page = t.throws(() => host.machine.query({ after: 0, limit: 10, order: 'asc' }));
  t.true(isLogClusterError(page) && page.code === 'COMPACTED');
  // A replica restored from the snapshot re-applies the rest and calls the same entries duplicates.
  const reopened = await RaftStorage.open(fs, '/n', BOOT, { segmentBytesMax: 512 });
  const replica = machineFor(() => reopened);
  replica.restore(reopened.snapshot().data);
  const rest = entries.filter((e) => e.index > snap.index);
  t.deepEqual(applyAll(replica, rest), decisions.slice(snap.index));
});

test('age retention drops segments older than the bound by the entries accept clock', async (t) => {
  const entries = randomEntries(12, 200, 1_000);
  const { host, retention, setNow } = await retentionRig(entries, { maxBytes: 0, maxAgeMs: 1_000 });
  setNow(0);
  t.is(await retention.runOnce(), null, 'nothing is old yet');
  const newestMs = Math.max(...entries.map((e) => (e.type === 'normal' ? decodeAt(e.data) : 0)));
  setNow(newestMs + 1_000 + 1);
  while ((await retention.runOnce()) !== null) {}
  const segments = host.storage.segments();
  t.is(segments.length, 1, 'every sealed segment is old; the active one stays');
  t.is(retention.stats().last_compaction?.byAge, 1);
});

function decodeAt(data: Uint8Array): number {
  return JSON.parse(Buffer.from(data).toString('utf8').split('\n')[0]).at;
}

test('a full window of the longest ids travels in one transport frame', (t) => {
  const window = new DedupWindow();
  const start = Date.now();
  for (let i = 0; i < window.entriesMax; i++) {
    window.add(`${String(i).padStart(8, '0')}${'x'.repeat(120)}`, 1_000_000_000 + i * 3, 7, start + i);
  }
  const bytes = window.encode();
  t.true(bytes.length < FRAME_BYTES_MAX - 1024 * 1024, `${bytes.length} bytes`);
  const copy = new DedupWindow();
  copy.restore(bytes);
  t.deepEqual(Buffer.from(copy.encode()), Buffer.from(bytes));
  t.deepEqual(copy.peek(`${'0'.repeat(8)}${'x'.repeat(120)}`), { index: 1_000_000_000, term: 7 });
});

test('a version 1 window (absolute values) still restores', (t) => {
  const v1 = { v: 1, clockMs: 50, ids: ['a', 'b'], index: [3, 9], term: [1, 2], at: [40, 50] };
  const window = new DedupWindow();
  window.restore(Buffer.from(JSON.stringify(v1)));
  t.deepEqual(window.peek('b'), { index: 9, term: 2 });
  t.is(window.size, 2);
});
