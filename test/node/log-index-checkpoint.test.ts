import test from 'ava';
import { IdTable } from '../../lib/node/indexing/id-table.js';
import { LogIndex } from '../../lib/node/log-index.js';

function pairs(slots: { hashes: Uint32Array; seqs: Uint32Array }): string[] {
  return [...slots.seqs].map((seq, i) => `${seq}:${slots.hashes[i]}`).sort();
}

test('id table export in slices is as of the call while adds (and rebuilds) go on between slices', async (t) => {
  const table = new IdTable();
  const hashOf = (seq: number) => (Math.imul(seq, 0x9e3779b1) >>> 0) % 5000; // collisions on purpose
  for (let seq = 0; seq < 3000; seq++) table.add(hashOf(seq), seq);
  table.dropBefore(100);
  let next = 3000;
  let pauses = 0;
  const exported = await table.exportSlots(
    3000,
    async () => {
      pauses++;
      for (let i = 0; i < 500; i++, next++) table.add(hashOf(next), next); // forces rebuilds
    },
    256,
  );
  t.true(pauses > 4);
  const expected = [];
  for (let seq = 100; seq < 3000; seq++) expected.push(`${seq}:${hashOf(seq)}`);
  t.deepEqual(pairs(exported), expected.sort());
  const loaded = IdTable.fromSlots(exported, 100);
  for (const seq of [100, 1234, 2999]) t.true(loaded.lookup(hashOf(seq)).includes(seq));
  t.deepEqual(
    loaded.lookup(hashOf(50)).filter((seq) => seq < 100),
    [],
    'dropped seqs stay dropped',
  );
  t.throws(() => IdTable.fromSlots(exported, 200), { instanceOf: RangeError });
});

test('a log index rebuilt from its state equals the original, and both keep growing alike', async (t) => {
  const original = new LogIndex(3);
  const add = (ix: LogIndex, i: number) =>
    ix.add(i * 2, {
      id: `id-${i}`,
      timestampMs: 1_000 + (i % 50) * 10,
      acceptedAtMs: 1_000,
      level: (['info', 'warn', 'error'] as const)[i % 3],
      source: `s${i % 4}`,
      labels: i % 5 === 0 ? { k: `v${i % 2}` } : undefined,
    });
  for (let i = 1; i <= 3000; i++) add(original, i);
  original.dropBefore(700);
  const state = await original.exportState();
  if (state === undefined) return t.fail();
  const copy = LogIndex.fromState(state, 3);
  for (let i = 3001; i <= 3100; i++) {
    add(original, i);
    add(copy, i);
  }
  for (const ix of [original, copy]) t.is(ix.size, 3100 - 349);
  const view = (ix: LogIndex) => ({
    start: ix.start,
    end: ix.end,
    termsComplete: ix.termsComplete,
    terms: ix.terms,
    indexes: Array.from({ length: ix.end - ix.start }, (_, k) => [
      ix.indexAt(ix.start + k),
      ix.timestampAt(ix.start + k),
      ix.levelAt(ix.start + k),
    ]),
    levels: [0, 1, 2, 3, 4, 5].map((code) => {
      const list = ix.levelList(code);
      return Array.from({ length: list.length }, (_, k) => list.at(list.start + k));
    }),
    sources: ['s\u0000s0', 's\u0000s1', 's\u0000s2', 's\u0000s3'].map((term) => {
      const list = ix.termList(term);
      return list && Array.from({ length: list.length }, (_, k) => list.at(list.start + k));
    }),
    zones: [0, 1, 2].map((b) => [
      ix.zoneMinMs(b + Math.floor(ix.start / 1024)),
      ix.zoneMaxMs(b + Math.floor(ix.start / 1024)),
    ]),
    ids: ['id-1', 'id-700', 'id-2500', 'id-3100'].map((id) => ix.seqsForId(id)),
  });
  t.deepEqual(view(copy), view(original));
  t.false(original.termsComplete, 'the posting-list bound was reached (3 terms)');
});

test('an export in slices is as of the call while entries are added; retention meanwhile cuts it short', async (t) => {
  const ix = new LogIndex();
  const add = (i: number) =>
    ix.add(i, {
      id: `id-${i}`,
      timestampMs: i,
      acceptedAtMs: i,
      level: i % 2 === 0 ? 'info' : 'error',
      source: `s${i % 3}`,
      labels: undefined,
    });
  for (let i = 1; i <= 2000; i++) add(i);
  const still = await ix.exportState();
  let next = 2001;
  let pauses = 0;
  const sliced = await ix.exportState(async () => {
    pauses++;
    for (let k = 0; k < 300; k++) add(next++);
  }, 64);
  t.true(pauses > 10);
  if (still === undefined || sliced === undefined) return t.fail();
  const sorted = (s: typeof still) => ({ ...s, ids: pairs(s.ids), zoneMin: [], zoneMax: [] });
  t.deepEqual(sorted(sliced), sorted(still));
  const cut = await ix.exportState(async () => ix.dropBefore(next - 10), 64);
  t.is(cut, undefined);
});
