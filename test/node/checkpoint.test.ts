import test from 'ava';
import type { ClusterConfig, Entry, HardState } from '../../lib/consensus/types.js';
import { type Checkpoint, decodeCheckpoint, encodeCheckpoint } from '../../lib/node/checkpoint.js';
import { readCheckpoint, writeCheckpoint } from '../../lib/node/checkpoint-file.js';
import { Checkpointer, capture } from '../../lib/node/checkpointer.js';
import type { LogQuery } from '../../lib/node/log-query.js';
import { RaftStorage } from '../../lib/node/raft-storage.js';
import { StateMachine } from '../../lib/node/state-machine.js';
import { Prng } from '../../lib/prng.js';
import { SimFileSystem } from '../../lib/testing/sim-file-system.js';
import { machine } from './memory-log.js';

const LEVELS = ['debug', 'info', 'info', 'warn', 'error', 'fatal'];
const QUERIES: LogQuery[] = [
  { limit: 1000, order: 'asc' },
  { limit: 1000, order: 'desc' },
  { limit: 50, order: 'desc', levels: ['error', 'fatal'] },
  { limit: 1000, order: 'asc', source: 'src-3' },
  { limit: 1000, order: 'asc', labels: { region: 'eu' } },
  { limit: 1000, order: 'asc', labels: { region: 'us', tier: 't1' }, levels: ['info'] },
  {
    limit: 1000,
    order: 'desc',
    sinceMs: Date.parse('2024-05-01T00:10:00Z'),
    untilMs: Date.parse('2024-05-01T00:20:00Z'),
  },
  { limit: 20, order: 'asc', after: 700, contains: 'seven' },
];

/** A machine with ids, duplicates, skipped (noop) indexes, labels and a retention cut. */
function filled(count: number, seed = 1) {
  const m = machine({ indexTermsMax: 40 });
  const prng = new Prng(seed);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 97 === 50) {
      m.log.lastIndex++;
      m.sm.skip(m.log.lastIndex);
      continue;
    }
    const retry = i % 13 === 7 && ids.length > 0;
    const id = retry ? ids[prng.nextInt(ids.length)] : `id-${seed}-${i}`;
    if (!retry) ids.push(id);
    m.write({
      id,
      message: `entry ${i} ${i % 7 === 0 ? 'seven' : ''}`,
      level: LEVELS[i % LEVELS.length],
      source: `src-${i % 5}`,
      labels: { region: i % 3 === 0 ? 'eu' : 'us', tier: `t${i % 2}`, req: `r${i % 60}` },
    });
  }
  return { ...m, ids };
}

/** Index or error code of a read by id. */
function readId(sm: StateMachine, id: string): number | string {
  try {
    return sm.read({ kind: 'id', id }).index;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

/** Stats without the capacity of the arrays (a loaded array has less slack than a grown one). */
function statsOf(sm: StateMachine) {
  const { index_bytes: _, ...stats } = sm.stats();
  return stats;
}

function answers(sm: StateMachine, ids: readonly string[]) {
  return {
    queries: QUERIES.map((q) => sm.query(q)),
    byId: ids.map((id) => readId(sm, id)),
    stats: statsOf(sm),
  };
}

async function checkpointOf(sm: StateMachine, term = 1): Promise<Checkpoint> {
  const configs = { throughIndex: sm.appliedIndex, throughTerm: term, snapshotIndex: 0, configs: [] };
  const machine = await sm.exportState();
  if (machine === undefined) throw new Error('the export was cut short');
  return { appliedTerm: term, machine, configs };
}

async function bytesOf(checkpoint: Checkpoint): Promise<Buffer> {
  return Buffer.concat((await encodeCheckpoint(checkpoint)).parts);
}

test('round trip: a restored machine answers every query, id read and dedup exactly as the saved one', async (t) => {
  const { sm, log, ids, write } = filled(1500);
  sm.dropBefore(120);
  const decoded = decodeCheckpoint(await bytesOf(await checkpointOf(sm)));
  if (typeof decoded === 'string') return t.fail(decoded);
  const copy = new StateMachine({ readEntry: log.read, indexTermsMax: 40 });
  copy.importState(decoded.machine);
  t.deepEqual(answers(copy, ids), answers(sm, ids));
  const before = answers(sm, ids);
  t.true(before.queries.every((page) => page.entries.length > 0));
  t.true(before.byId.includes('COMPACTED') && before.byId.some((x) => typeof x === 'number'));
  // Both go on alike: a retry of a remembered id is a duplicate on both, new entries index alike.
  const retried = write({ id: ids[ids.length - 1], message: 'again' });
  const stored = log.entries.get(log.lastIndex);
  if (stored === undefined) return t.fail();
  t.deepEqual(copy.apply(stored.index, stored.term, stored.payload), retried);
  t.true(retried.duplicate);
  const fresh = write({ id: 'brand-new', message: 'new', level: 'error', labels: { region: 'eu' } });
  const last = log.entries.get(log.lastIndex);
  if (last === undefined) return t.fail();
  t.deepEqual(copy.apply(last.index, last.term, last.payload), fresh);
  t.deepEqual(answers(copy, [...ids, 'brand-new']), answers(sm, [...ids, 'brand-new']));
});

test('an empty machine and one emptied by retention round-trip too', async (t) => {
  for (const { sm, log } of [machine(), filled(30)]) {
    sm.dropBefore(sm.appliedIndex + 1);
    const decoded = decodeCheckpoint(await bytesOf(await checkpointOf(sm)));
    if (typeof decoded === 'string') return t.fail(decoded);
    const copy = new StateMachine({ readEntry: log.read });
    copy.importState(decoded.machine);
    t.deepEqual(statsOf(copy), statsOf(sm));
    t.deepEqual(copy.query({ limit: 10, order: 'asc' }), sm.query({ limit: 10, order: 'asc' }));
  }
});

test('damaged, torn, foreign and mislabelled checkpoints decode to a reason, never a state', async (t) => {
  const { sm } = filled(300);
  const good = await bytesOf(await checkpointOf(sm));
  t.is(typeof decodeCheckpoint(good), 'object');
  const flipped = Buffer.from(good);
  flipped[good.length - 100] ^= 1;
  t.regex(decodeCheckpoint(flipped) as string, /body fails its checksum/);
  t.regex(decodeCheckpoint(good.subarray(0, good.length - 1)) as string, /length/);
  t.regex(decodeCheckpoint(good.subarray(0, 20)) as string, /shorter/);
  const header = Buffer.from(good);
  header[9] ^= 1;
  t.regex(decodeCheckpoint(header) as string, /header fails/);
  t.regex(decodeCheckpoint(Buffer.from('hello world, not a checkpoint at all.....')) as string, /magic/);
});

test('the file: written atomically, read back; a torn or missing file reads as missing', async (t) => {
  const fs = new SimFileSystem({ prng: new Prng(3) });
  await fs.mkdir('/d');
  t.regex((readCheckpoint(fs, '/d/cp') as { missing: string }).missing, /ENOENT/);
  const { sm } = filled(400);
  const bytes = await writeCheckpoint(fs, '/d/cp', await checkpointOf(sm));
  fs.crash();
  const read = readCheckpoint(fs, '/d/cp');
  if (!('checkpoint' in read)) return t.fail(read.missing);
  t.is(read.checkpoint.machine.applied, sm.appliedIndex);
  const fd = fs.open('/d/cp', 'existing');
  fs.truncate(fd, bytes - 10);
  fs.close(fd);
  t.regex((readCheckpoint(fs, '/d/cp') as { missing: string }).missing, /length/);
});

test('a crash while writing leaves the previous checkpoint, never a mix', async (t) => {
  const fs = new SimFileSystem({ prng: new Prng(4) });
  await fs.mkdir('/d');
  const { sm, write } = filled(200);
  await writeCheckpoint(fs, '/d/cp', await checkpointOf(sm));
  const first = sm.appliedIndex;
  write({ message: 'later' });
  // The writer runs as a process that dies with the crash: its later calls fail.
  const writing = writeCheckpoint(fs.attach(), '/d/cp', await checkpointOf(sm));
  fs.crash(); // before the new file was fsynced and renamed
  await writing.catch(() => undefined);
  const read = readCheckpoint(fs, '/d/cp');
  if (!('checkpoint' in read)) return t.fail(read.missing);
  t.is(read.checkpoint.machine.applied, first);
});

// RaftStorage-level: the log decides whether a checkpoint is trusted.

const BOOT: ClusterConfig = { voters: ['a'], learners: [] };

function logEntries(from: number, to: number, term: number, payloadOf: (i: number) => Uint8Array): Entry[] {
  const out: Entry[] = [];
  for (let i = from; i <= to; i++) out.push({ index: i, term, type: 'normal', data: payloadOf(i) });
  return out;
}

async function storageWith(
  fs: SimFileSystem,
  dir: string,
  entries: Entry[],
  commit: number,
): Promise<RaftStorage> {
  const s = await RaftStorage.open(fs, dir, BOOT);
  const hardState: HardState = { term: entries.at(-1)?.term ?? 1, vote: 'a', commit };
  await s.persist({ entries, hardState, snapshot: null, mustSync: true });
  return s;
}

test('restore: used when the log holds the applied index at its term; refused (state untouched) otherwise', async (t) => {
  const { sm, log } = filled(60);
  const payload = (i: number) => log.entries.get(i)?.payload ?? new Uint8Array([0x7b, 0x7d]);
  const fs = new SimFileSystem({ prng: new Prng(5) });
  const A = sm.appliedIndex;
  const live = await storageWith(fs, '/live', logEntries(1, A + 5, 1, payload), A);
  const checkpoint = await capture(sm, live);
  if (checkpoint === undefined) return t.fail();
  t.is(checkpoint.machine.applied, A);
  const cases: Array<[string, Entry[], RegExp | null]> = [
    ['same log', logEntries(1, A + 5, 1, payload), null],
    ['log truncated below A', logEntries(1, A - 3, 1, payload), /past the log's end/],
    ['another term at A', logEntries(1, A + 5, 2, payload), /another term/],
  ];
  for (const [name, entries, refusal] of cases) {
    const storage = await storageWith(fs, `/${name.replaceAll(' ', '-')}`, entries, 1);
    const target = new StateMachine({ readEntry: log.read });
    const result = new Checkpointer(fs, '/unused').restore(checkpoint, storage, target);
    if (refusal === null) {
      t.deepEqual(result, { applied: A, refusal: undefined }, name);
      t.is(storage.initialState().hardState.commit, A, 'the commit is recovered up to A');
      t.deepEqual(target.query(QUERIES[4]), sm.query(QUERIES[4]));
    } else {
      t.is(result.applied, 0, name);
      t.regex(result.refusal ?? '', refusal, name);
      t.is(target.appliedIndex, 0, `${name}: nothing restored`);
      t.is(storage.initialState().hardState.commit, 1, `${name}: commit untouched`);
    }
  }
});
