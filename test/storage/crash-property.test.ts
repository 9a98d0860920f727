/**
 * Property: on the simulated disk, under random appends (concurrent, random batch sizes),
 * truncations, prefix drops, resets, partial progress and crashes torn at a random byte, every
 * recovery finds every record whose append resolved (and was not removed since) byte-identical,
 * with segments growing by appends or preallocated (spare segments zero-filled in the background),
 * nothing that was never written (or whose removal was acknowledged), contiguous indexes, term
 * runs that agree with the records, and indexes that reopen cleanly.
 */
import test from 'ava';
import fc from 'fast-check';
import { Prng } from '../../lib/prng.js';
import { type LogRecord, SegmentedLog, type SegmentedLogOptions } from '../../lib/storage/index.js';
import { SimFileSystem } from '../../lib/testing/index.js';
import { drain, rec, sameRecord } from './helpers.js';

const DIR = '/data/log';

type Cmd =
  | { k: 'append'; calls: number[]; bump: boolean }
  | { k: 'burst'; count: number; bytes: number }
  | { k: 'settle'; hops: number }
  | { k: 'drain' }
  | { k: 'truncate'; back: number }
  | { k: 'drop'; ahead: number }
  | { k: 'reset'; gap: number }
  | { k: 'crash'; tear: boolean }
  | { k: 'reopen' };

const command: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      k: fc.constant('append' as const),
      calls: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }),
      bump: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ k: fc.constant('settle' as const), hops: fc.integer({ min: 0, max: 16 }) }),
  },
  { weight: 1, arbitrary: fc.constant({ k: 'drain' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({ k: fc.constant('truncate' as const), back: fc.integer({ min: 0, max: 15 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ k: fc.constant('drop' as const), ahead: fc.integer({ min: 0, max: 40 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ k: fc.constant('reset' as const), gap: fc.integer({ min: -4, max: 6 }) }),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('crash' as const), tear: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ k: 'reopen' as const }) },
);

const logOptions: fc.Arbitrary<Partial<SegmentedLogOptions>> = fc.record({
  segmentBytesMax: fc.oneof(fc.integer({ min: 150, max: 900 }), fc.integer({ min: 20_000, max: 200_000 })),
  sparseIndexIntervalBytes: fc.integer({ min: 16, max: 256 }),
  tailCacheRecordsMax: fc.integer({ min: 1, max: 16 }),
  openSegmentsMax: fc.integer({ min: 1, max: 4 }),
});

/** What the log may and must hold, kept alongside the real one. */
class Model {
  /** Every version ever appended at an index, with the call sequence number that appended it. */
  readonly written = new Map<number, Map<number, { record: LogRecord; seq: number }>>();
  /** Versions that may be found at an index after a crash. */
  readonly may = new Map<number, Set<number>>();
  /** The version that must be found at an index after a crash (append resolved, removal never asked). */
  readonly must = new Map<number, number>();
  /** The version the live log holds at each index. */
  readonly current = new Map<number, number>();
  /** firstIndex a reopen must show (a reset was acknowledged and nothing changed the start since). */
  expectFirst: number | undefined;
  /** Records below this may be removed by a dropPrefix call still in progress. */
  dropFloor = 0;
  /** Sequence number of the latest dropPrefix or reset call (either moves the start). */
  startMovedAt = 0;
  epoch = 0;
  seq = 0;
  version = 0;
  term = 1;

  record(index: number, size?: number): LogRecord {
    const version = ++this.version;
    const r = rec(index, this.term, version, size);
    if (!this.written.has(index)) this.written.set(index, new Map());
    this.written.get(index)!.set(version, { record: r, seq: this.seq });
    if (!this.may.has(index)) this.may.set(index, new Set());
    this.may.get(index)!.add(version);
    this.current.set(index, version);
    return r;
  }

  /** Forgets versions at indexes > `after` appended before call `seq` (a removal became durable). */
  forgetBefore(seq: number, after: number): void {
    for (const [index, versions] of this.may) {
      if (index <= after) continue;
      for (const v of versions) if (this.written.get(index)!.get(v)!.seq < seq) versions.delete(v);
    }
  }
}

async function run(
  seed: number,
  options: Partial<SegmentedLogOptions>,
  preallocation: boolean,
  cmds: Cmd[],
): Promise<void> {
  // Each simulated process gets its own view: code of a crashed one cannot touch the disk.
  const fs = new SimFileSystem({ prng: new Prng(seed), preallocation });
  const m = new Model();
  let { log } = await SegmentedLog.open(fs.attach(), DIR, options);
  const onEpoch = (fn: () => void) => {
    const epoch = m.epoch;
    return () => {
      if (epoch === m.epoch) fn();
    };
  };
  // No disk fault is injected here: a call failing in the live process (not a crashed one) is a bug.
  let unexpected: unknown = null;
  const failed = () => {
    const epoch = m.epoch;
    return (error: unknown) => {
      if (epoch === m.epoch) unexpected ??= error;
    };
  };
  for (const cmd of cmds) {
    if (unexpected !== null) throw unexpected;
    m.seq++;
    const seq = m.seq;
    switch (cmd.k) {
      case 'append': {
        if (cmd.bump) m.term++;
        for (const count of cmd.calls) {
          const batch: LogRecord[] = [];
          for (let i = 0; i < count; i++) batch.push(m.record(log.lastIndex + 1 + i));
          log.append(batch).then(
            onEpoch(() => acknowledge(m, batch)),
            failed(),
          );
        }
        break;
      }
      case 'burst': {
        for (let i = 0; i < cmd.count; i++) {
          const r = m.record(log.lastIndex + 1, cmd.bytes + i);
          log.append([r]).then(
            onEpoch(() => acknowledge(m, [r])),
            failed(),
          );
        }
        break;
      }
      case 'settle':
        for (let i = 0; i < cmd.hops; i++) await Promise.resolve();
        break;
      case 'drain':
        await drain();
        break;
      case 'truncate': {
        const index = Math.max(log.firstIndex - 1, log.lastIndex - cmd.back);
        for (const i of [...m.current.keys()]) if (i > index) m.current.delete(i);
        for (const i of [...m.must.keys()]) if (i > index) m.must.delete(i);
        log.truncateAfter(index).then(
          onEpoch(() => m.forgetBefore(seq, index)),
          failed(),
        );
        break;
      }
      case 'drop': {
        const index = log.firstIndex + cmd.ahead;
        for (const i of [...m.must.keys()]) if (i < index) m.must.delete(i);
        m.dropFloor = Math.max(m.dropFloor, index);
        m.expectFirst = undefined;
        m.startMovedAt = seq;
        log.dropPrefix(index).then(
          onEpoch(() => {
            for (const i of [...m.current.keys()]) if (i < log.firstIndex) m.current.delete(i);
          }),
          failed(),
        );
        for (const i of [...m.current.keys()]) if (i < log.firstIndex) m.current.delete(i);
        break;
      }
      case 'reset': {
        const next = Math.max(1, log.lastIndex + 1 + cmd.gap);
        m.current.clear();
        m.must.clear();
        m.expectFirst = undefined;
        m.startMovedAt = seq;
        log.reset(next).then(
          onEpoch(() => {
            m.forgetBefore(seq, 0);
            if (m.startMovedAt === seq) m.expectFirst = next;
          }),
          failed(),
        );
        break;
      }
      case 'crash': {
        fs.crash({ tearLastWrite: cmd.tear });
        m.epoch++;
        ({ log } = await SegmentedLog.open(fs.attach(), DIR, options));
        verify(log, m);
        break;
      }
      case 'reopen': {
        await log.close();
        m.epoch++;
        const before = snapshot(log, m);
        const opened = await SegmentedLog.open(fs.attach(), DIR, options);
        log = opened.log;
        if (opened.report.truncatedTail !== null || opened.report.indexesRebuilt.length > 0) {
          throw new Error(`a clean reopen repaired something: ${JSON.stringify(opened.report)}`);
        }
        verify(log, m);
        const after = snapshot(log, m);
        if (JSON.stringify(after) !== JSON.stringify(before)) {
          throw new Error(
            `reopen changed the log: ${JSON.stringify(before)} became ${JSON.stringify(after)}`,
          );
        }
        break;
      }
    }
  }
  await drain();
  if (unexpected !== null) throw unexpected;
  fs.crash({ tearLastWrite: true });
  m.epoch++;
  ({ log } = await SegmentedLog.open(fs.attach(), DIR, options));
  verify(log, m);
  await log.close();
}

/** An append resolved: its records must survive, unless removed (or being dropped) since. */
function acknowledge(m: Model, batch: readonly LogRecord[]): void {
  for (const r of batch) {
    const version = m.current.get(r.index);
    const dropped = r.index < m.dropFloor;
    if (!dropped && version !== undefined && sameRecord(m.written.get(r.index)!.get(version)!.record, r)) {
      m.must.set(r.index, version);
    }
  }
}

function snapshot(log: SegmentedLog, m: Model): unknown {
  return {
    first: log.firstIndex,
    last: log.lastIndex,
    current: [...m.current.entries()].sort((a, b) => a[0] - b[0]),
  };
}

/** Checks the reopened log against the model, then makes the model match what was recovered. */
function verify(log: SegmentedLog, m: Model): void {
  const first = log.firstIndex;
  const last = log.lastIndex;
  const fail = (why: string) => {
    throw new Error(`after recovery [${first}, ${last}]: ${why}`);
  };
  if (m.expectFirst !== undefined && first !== m.expectFirst) fail(`first index should be ${m.expectFirst}`);
  for (const [index, version] of m.must) {
    const want = m.written.get(index)!.get(version)!.record;
    if (index < first || index > last || !sameRecord(log.read(index), want))
      fail(`acknowledged record ${index} lost`);
  }
  const recovered = new Map<number, number>();
  const range = log.readRange(first, last + 1, Number.MAX_SAFE_INTEGER);
  if (range.length !== last - first + 1) fail(`readRange returned ${range.length} records`);
  for (let index = first; index <= last; index++) {
    const got = log.read(index);
    if (got === undefined) fail(`record ${index} missing inside the range`);
    if (!sameRecord(range[index - first], got)) fail(`readRange and read disagree at ${index}`);
    if (log.termAt(index) !== got!.term)
      fail(`termAt(${index}) is ${log.termAt(index)}, record says ${got!.term}`);
    const version = [...(m.may.get(index) ?? [])].find((v) =>
      sameRecord(m.written.get(index)!.get(v)!.record, got),
    );
    if (version === undefined)
      fail(`record ${index} was never written there (or its removal was acknowledged)`);
    recovered.set(index, version!);
  }
  if (log.termAt(first - 1) !== undefined || log.termAt(last + 1) !== undefined)
    fail('termAt outside the range');
  // What was recovered is durable now: it must survive the next crash, and nothing else may appear.
  m.current.clear();
  m.must.clear();
  m.may.clear();
  for (const [index, version] of recovered) {
    m.current.set(index, version);
    m.must.set(index, version);
    m.may.set(index, new Set([version]));
  }
  m.expectFirst = first;
  m.dropFloor = 0;
}

test('acknowledged records survive crashes; nothing unwritten appears (fast-check)', async (t) => {
  const outcome = await fc.check(
    fc.asyncProperty(
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      logOptions,
      fc.boolean(),
      fc.array(command, { maxLength: 45 }),
      run,
    ),
    {
      numRuns: Number(process.env.STORAGE_PROPERTY_RUNS ?? 300),
      // Replays a printed counterexample first: STORAGE_PROPERTY_EXAMPLE='[seed, options, prealloc, cmds]'.
      examples: process.env.STORAGE_PROPERTY_EXAMPLE
        ? [JSON.parse(process.env.STORAGE_PROPERTY_EXAMPLE)]
        : [],
    },
  );
  if (outcome.failed) t.fail(`${fc.defaultReportMessage(outcome)}\n${String(outcome.errorInstance)}`);
  else t.pass();
});
