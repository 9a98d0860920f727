import test from 'ava';
import type { ClusterConfig, Entry, HardState, Snapshot } from '../../lib/consensus/types.js';
import { isLogClusterError } from '../../lib/errors.js';
import { RaftStorage } from '../../lib/node/raft-storage.js';
import { Prng } from '../../lib/prng.js';
import { SegmentedLog } from '../../lib/storage/index.js';
import { SimFileSystem } from '../../lib/testing/sim-file-system.js';
import { CrashSwitch } from '../simulation/crash-switch.js';

const DIR = '/node';
const BOOT: ClusterConfig = { voters: ['a', 'b', 'c'], learners: [] };
const enc = new TextEncoder();

function normal(index: number, term: number, text = `e${index}`): Entry {
  return { index, term, type: 'normal', data: enc.encode(text) };
}

function config(index: number, term: number, change: object): Entry {
  return { index, term, type: 'config', data: enc.encode(JSON.stringify(change)) };
}

function ready(parts: { entries?: Entry[]; hardState?: HardState; snapshot?: Snapshot; mustSync?: boolean }) {
  return {
    entries: parts.entries ?? [],
    hardState: parts.hardState ?? null,
    snapshot: parts.snapshot ?? null,
    mustSync: parts.mustSync ?? true,
  };
}

async function reopen(fs: SimFileSystem, crash = true): Promise<RaftStorage> {
  if (crash) fs.crash();
  return RaftStorage.open(fs, DIR, BOOT);
}

test('a fresh storage: empty log, zero hard state, bootstrap membership', async (t) => {
  const s = await RaftStorage.open(new SimFileSystem(), DIR, BOOT);
  t.deepEqual(s.initialState(), { hardState: { term: 0, vote: null, commit: 0 }, config: BOOT });
  t.is(s.firstIndex(), 1);
  t.is(s.lastIndex(), 0);
  t.is(s.term(0), 0);
  t.is(s.term(1), undefined);
  t.deepEqual(s.entries(1, 1, 100), []);
  t.is(s.snapshot().index, 0);
});

test('persisted entries and hard state survive a crash, types and data intact', async (t) => {
  const fs = new SimFileSystem({ prng: new Prng(1) });
  const s = await RaftStorage.open(fs, DIR, BOOT);
  const noop: Entry = { index: 1, term: 1, type: 'noop', data: new Uint8Array(0) };
  await s.persist(
    ready({ entries: [noop, normal(2, 1), normal(3, 1)], hardState: { term: 1, vote: 'a', commit: 2 } }),
  );
  const r = await reopen(fs);
  t.is(r.lastIndex(), 3);
  t.deepEqual(r.entries(1, 4, 1 << 20), [noop, normal(2, 1), normal(3, 1)]);
  t.deepEqual(r.initialState().hardState, { term: 1, vote: 'a', commit: 2 });
  t.is(r.term(3), 1);
});

test('entries that overlap the stored suffix replace it', async (t) => {
  const fs = new SimFileSystem();
  const s = await RaftStorage.open(fs, DIR, BOOT);
  await s.persist(
    ready({
      entries: [normal(1, 1), normal(2, 1), normal(3, 1)],
      hardState: { term: 1, vote: null, commit: 1 },
    }),
  );
  await s.persist(ready({ entries: [normal(2, 2, 'x'), normal(3, 2, 'y'), normal(4, 2, 'z')] }));
  t.deepEqual(s.entries(1, 5, 1 << 20), [
    normal(1, 1),
    normal(2, 2, 'x'),
    normal(3, 2, 'y'),
    normal(4, 2, 'z'),
  ]);
  const r = await reopen(fs);
  t.is(r.lastIndex(), 4);
  t.is(r.term(2), 2);
});

test('rewriting a committed entry is a broken invariant', async (t) => {
  const s = await RaftStorage.open(new SimFileSystem(), DIR, BOOT);
  await s.persist(
    ready({ entries: [normal(1, 1), normal(2, 1)], hardState: { term: 1, vote: null, commit: 2 } }),
  );
  await t.throwsAsync(s.persist(ready({ entries: [normal(2, 2)] })), { message: /overwrite committed/ });
});

test('a commit-only change is not fsynced; a term or vote change is', async (t) => {
  const fs = new SimFileSystem();
  const s = await RaftStorage.open(fs, DIR, BOOT);
  await s.persist(
    ready({ entries: [normal(1, 1), normal(2, 1)], hardState: { term: 1, vote: 'b', commit: 0 } }),
  );
  await s.persist(ready({ hardState: { term: 1, vote: 'b', commit: 2 }, mustSync: false }));
  t.is(s.initialState().hardState.commit, 2, 'the latest commit is known in memory');
  let r = await reopen(fs);
  t.deepEqual(
    r.initialState().hardState,
    { term: 1, vote: 'b', commit: 0 },
    'commit is relearned after a crash',
  );
  await r.persist(ready({ hardState: { term: 2, vote: null, commit: 1 }, mustSync: true }));
  r = await reopen(fs);
  t.deepEqual(r.initialState().hardState, { term: 2, vote: null, commit: 1 });
});

test('membership: bootstrap, overridden by config entries, undone by truncation, found again at open', async (t) => {
  const fs = new SimFileSystem();
  const s = await RaftStorage.open(fs, DIR, BOOT);
  await s.persist(
    ready({
      entries: [
        normal(1, 1),
        config(2, 1, { kind: 'add-learner', node: 'd' }),
        config(3, 1, { kind: 'remove', node: 'c' }),
      ],
      hardState: { term: 1, vote: null, commit: 1 },
    }),
  );
  t.deepEqual(s.initialState().config, { voters: ['a', 'b'], learners: ['d'] });
  t.deepEqual(s.configAt(2), { voters: ['a', 'b', 'c'], learners: ['d'] });
  t.deepEqual(s.configAt(1), BOOT);
  await s.persist(ready({ entries: [normal(3, 2)] }));
  t.deepEqual(
    s.initialState().config,
    { voters: ['a', 'b', 'c'], learners: ['d'] },
    'the truncated change is undone',
  );
  const r = await reopen(fs);
  t.deepEqual(r.initialState().config, { voters: ['a', 'b', 'c'], learners: ['d'] });
  t.deepEqual(r.configHistory(), [{ index: 2, config: { voters: ['a', 'b', 'c'], learners: ['d'] } }]);
  await r.persist(ready({ entries: [config(4, 2, { kind: 'add-voter', node: 'd' })] }));
  t.deepEqual((await reopen(fs)).initialState().config, { voters: ['a', 'b', 'c', 'd'], learners: [] });
});

test('compaction records term and membership at the point and hides the prefix', async (t) => {
  const fs = new SimFileSystem();
  const s = await RaftStorage.open(fs, DIR, BOOT);
  const entries = [
    normal(1, 1),
    config(2, 1, { kind: 'add-learner', node: 'd' }),
    normal(3, 2),
    normal(4, 2),
  ];
  await s.persist(ready({ entries, hardState: { term: 2, vote: null, commit: 4 } }));
  await s.compact(3, enc.encode('app-state'));
  const check = (x: RaftStorage) => {
    t.is(x.firstIndex(), 4);
    t.is(x.lastIndex(), 4);
    t.is(x.term(3), 2);
    t.is(x.term(2), undefined);
    t.deepEqual(x.snapshot(), {
      index: 3,
      term: 2,
      config: { voters: BOOT.voters, learners: ['d'] },
      data: enc.encode('app-state'),
    });
    t.deepEqual(x.entries(4, 5, 100), [normal(4, 2)]);
    t.deepEqual(x.initialState().hardState.commit, 4);
  };
  check(s);
  t.throws(() => s.entries(3, 5, 100), { message: /compacted/ });
  check(await reopen(fs));
});

test('installing a snapshot restarts the log after it', async (t) => {
  const fs = new SimFileSystem();
  const s = await RaftStorage.open(fs, DIR, BOOT);
  await s.persist(
    ready({ entries: [normal(1, 1), normal(2, 1)], hardState: { term: 1, vote: null, commit: 1 } }),
  );
  const snap: Snapshot = {
    index: 10,
    term: 3,
    config: { voters: ['a', 'b'], learners: [] },
    data: enc.encode('s'),
  };
  await s.persist(ready({ snapshot: snap, hardState: { term: 3, vote: null, commit: 10 } }));
  for (const x of [s, await reopen(fs)]) {
    t.is(x.firstIndex(), 11);
    t.is(x.lastIndex(), 10);
    t.is(x.term(10), 3);
    t.deepEqual(x.snapshot(), snap);
    t.deepEqual(x.initialState(), { hardState: { term: 3, vote: null, commit: 10 }, config: snap.config });
  }
  const r = await reopen(fs, false);
  await r.persist(ready({ entries: [normal(11, 3)] }));
  t.deepEqual((await reopen(fs)).entries(11, 12, 100), [normal(11, 3)]);
});

test('a crash at any disk operation of a snapshot install or compaction leaves a consistent store', async (t) => {
  let sawNew = 0;
  let sawOld = 0;
  for (const kind of ['install', 'compact'] as const) {
    for (let ops = 0; ops < 40; ops++) {
      const fs = new SimFileSystem({ prng: new Prng(ops) });
      const s = await RaftStorage.open(fs, DIR, BOOT);
      const entries = Array.from({ length: 8 }, (_, i) => normal(i + 1, 1));
      await s.persist(ready({ entries, hardState: { term: 1, vote: null, commit: 8 } }));
      const fence = new CrashSwitch(() => fs.crash({ tearLastWrite: ops % 2 === 1 }));
      const fenced = await RaftStorage.open(fence.wrap(fs), DIR, BOOT);
      fence.arm(ops);
      const work =
        kind === 'install'
          ? fenced.persist(ready({ snapshot: { index: 20, term: 2, config: BOOT, data: enc.encode('x') } }))
          : fenced.compact(6, enc.encode('y'));
      await work.catch(() => undefined);
      if (!fence.isDead) fence.crash();
      const r = await RaftStorage.open(fs, DIR, BOOT);
      const snap = r.snapshot();
      if (snap.index === 0) {
        sawOld++;
        t.is(r.lastIndex(), 8);
      } else {
        sawNew++;
        t.is(snap.index, kind === 'install' ? 20 : 6);
        t.is(r.term(snap.index), snap.term);
        t.is(r.lastIndex(), kind === 'install' ? 20 : 8);
        if (r.lastIndex() > snap.index)
          t.is(r.entries(snap.index + 1, r.lastIndex() + 1, 1 << 20).length, r.lastIndex() - snap.index);
      }
    }
  }
  t.true(sawOld > 0 && sawNew > 0, `crash points cover before and after (${sawOld} old, ${sawNew} new)`);
});

test('a crash at any disk operation of a persist keeps the hard state behind the entries', async (t) => {
  for (let ops = 0; ops < 30; ops++) {
    const fs = new SimFileSystem({ prng: new Prng(100 + ops) });
    const s = await RaftStorage.open(fs, DIR, BOOT);
    await s.persist(ready({ entries: [normal(1, 1)], hardState: { term: 1, vote: 'a', commit: 1 } }));
    const fence = new CrashSwitch(() => fs.crash({ tearLastWrite: true }));
    const fenced = await RaftStorage.open(fence.wrap(fs), DIR, BOOT);
    fence.arm(ops);
    await fenced
      .persist(ready({ entries: [normal(2, 2), normal(3, 2)], hardState: { term: 2, vote: 'b', commit: 3 } }))
      .catch(() => undefined);
    if (!fence.isDead) fence.crash();
    const r = await RaftStorage.open(fs, DIR, BOOT);
    const hs = r.initialState().hardState;
    if (hs.term === 2)
      t.is(r.lastIndex(), 3, `crash after ${ops} ops: the new hard state implies the entries`);
    else t.deepEqual(hs, { term: 1, vote: 'a', commit: 1 });
    t.true(r.lastIndex() >= 1);
  }
});

test('a log that starts after the snapshot is corruption', async (t) => {
  const fs = new SimFileSystem();
  const { log } = await SegmentedLog.open(fs, `${DIR}/log`);
  await log.reset(5);
  await log.close();
  const error = await t.throwsAsync(RaftStorage.open(fs, DIR, BOOT));
  t.true(isLogClusterError(error) && error.code === 'STORAGE_CORRUPT');
});

test('writes must not overlap', async (t) => {
  const s = await RaftStorage.open(new SimFileSystem(), DIR, BOOT);
  const first = s.persist(ready({ entries: [normal(1, 1)] }));
  await t.throwsAsync(s.persist(ready({ entries: [normal(2, 1)] })), { message: /overlap/ });
  await first;
});
