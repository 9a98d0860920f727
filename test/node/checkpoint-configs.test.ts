import test from 'ava';
import type { ClusterConfig, Entry, HardState } from '../../lib/consensus/types.js';
import { type KnownConfigs, RaftStorage } from '../../lib/node/raft-storage.js';
import { Prng } from '../../lib/prng.js';
import { SimFileSystem } from '../../lib/testing/sim-file-system.js';

const DIR = '/node';
const BOOT: ClusterConfig = { voters: ['a', 'b', 'c'], learners: [] };
const enc = new TextEncoder();

function normal(index: number, term: number): Entry {
  return { index, term, type: 'normal', data: enc.encode(`e${index}`) };
}

function config(index: number, term: number, change: object): Entry {
  return { index, term, type: 'config', data: enc.encode(JSON.stringify(change)) };
}

async function persist(s: RaftStorage, entries: Entry[], hardState: HardState | null = null): Promise<void> {
  await s.persist({ entries, hardState, snapshot: null, mustSync: true });
}

/** Entries 1..20 of term 1 with config entries at 3 (add learner d) and 15 (remove c). */
async function fixture(): Promise<{ fs: SimFileSystem; known: KnownConfigs }> {
  const fs = new SimFileSystem({ prng: new Prng(9) });
  const s = await RaftStorage.open(fs, DIR, BOOT);
  const entries: Entry[] = [];
  for (let i = 1; i <= 20; i++) {
    if (i === 3) entries.push(config(3, 1, { kind: 'add-learner', node: 'd' }));
    else if (i === 15) entries.push(config(15, 1, { kind: 'remove', node: 'c' }));
    else entries.push(normal(i, 1));
  }
  await persist(s, entries, { term: 1, vote: 'a', commit: 10 });
  // What a checkpoint at A = 10 records: the config entries up to 10.
  const known: KnownConfigs = {
    throughIndex: 10,
    throughTerm: 1,
    snapshotIndex: 0,
    configs: s.configHistory().filter((c) => c.index <= 10),
  };
  await s.close();
  return { fs, known };
}

const AFTER_3 = { voters: ['a', 'b', 'c'], learners: ['d'] };
const AFTER_15 = { voters: ['a', 'b'], learners: ['d'] };

test('config entries before and after the checkpoint: the same history as a full scan', async (t) => {
  const { fs, known } = await fixture();
  const full = await RaftStorage.open(fs, DIR, BOOT);
  const expected = [
    { index: 3, config: AFTER_3 },
    { index: 15, config: AFTER_15 },
  ];
  t.deepEqual(full.configHistory(), expected);
  await full.close();
  const hinted = await RaftStorage.open(fs, DIR, BOOT, undefined, known);
  t.deepEqual(hinted.configHistory(), expected);
  t.deepEqual(hinted.initialState().config, AFTER_15);
  t.deepEqual(hinted.configAt(10), AFTER_3);
});

test('the log before the checkpoint is not read: a known list is trusted up to its index', async (t) => {
  const { fs, known } = await fixture();
  // A list that says the learner came at 5 (the log says 3): only a skipped scan can show it.
  const told = { ...known, configs: [{ index: 5, config: AFTER_3 }] };
  const s = await RaftStorage.open(fs, DIR, BOOT, undefined, told);
  t.deepEqual(
    s.configHistory().map((c) => c.index),
    [5, 15],
  );
});

test('a config entry after the checkpoint that a new leader truncates is gone after reopen', async (t) => {
  const { fs, known } = await fixture();
  const s = await RaftStorage.open(fs, DIR, BOOT, undefined, known);
  // A new leader (term 2) overwrites from 12 on: the config entry at 15 is truncated away.
  await persist(s, [normal(12, 2), normal(13, 2)], { term: 2, vote: 'b', commit: 10 });
  t.deepEqual(s.configHistory(), [{ index: 3, config: AFTER_3 }]);
  await s.close();
  fs.crash();
  const reopened = await RaftStorage.open(fs, DIR, BOOT, undefined, known);
  t.deepEqual(reopened.configHistory(), [{ index: 3, config: AFTER_3 }]);
  t.deepEqual(reopened.initialState().config, AFTER_3);
});

test('a known list the log contradicts is ignored: the whole log is scanned', async (t) => {
  const { fs, known } = await fixture();
  const wrong = [
    { ...known, throughTerm: 2, configs: [] }, // another term at its index
    { ...known, throughIndex: 30, configs: [] }, // past the log's end
    { ...known, snapshotIndex: 5, configs: [] }, // taken after a snapshot this node does not have
    { ...known, configs: [{ index: 12, config: AFTER_3 }] }, // lists an entry past its own index
  ];
  for (const hint of wrong) {
    const s = await RaftStorage.open(fs, DIR, BOOT, undefined, hint);
    t.deepEqual(
      s.configHistory().map((c) => c.index),
      [3, 15],
      JSON.stringify(hint),
    );
    await s.close();
  }
});
