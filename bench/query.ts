/**
 * How fast the applied state machine answers reads over 1,000,000 entries. Run:
 *   npx tsx bench/query.ts [entries]
 * Builds the log in memory (the payload bytes a real node keeps on disk), applies every entry,
 * then times each query shape (median and p99 of repeated runs) and reports index memory.
 */

import { LEVELS } from '../lib/node/entries/levels.js';
import { encodeEntry } from '../lib/node/entries/payload.js';
import { validateEntry } from '../lib/node/entries/validate.js';
import type { LogQuery } from '../lib/node/log-query.js';
import { StateMachine, type StoredEntry } from '../lib/node/state-machine.js';
import { Prng } from '../lib/prng.js';

const count = Number(process.argv[2] ?? 1_000_000);
const t0 = Date.UTC(2024, 0, 1);
const log: StoredEntry[] = [];
const machine = new StateMachine({ readEntry: (index) => log[index - 1] });
const sources = Array.from({ length: 50 }, (_, i) => `service-${i}`);

const prng = new Prng(1);
const random = (k: number) => prng.nextInt(k);

function build(): void {
  const startMs = performance.now();
  let encodeMs = 0;
  for (let i = 0; i < count; i++) {
    const e0 = performance.now();
    // Levels skewed like real logs: errors ~2%, fatal ~0.1%.
    const roll = random(1000);
    const level =
      roll < 1 ? 'fatal' : roll < 21 ? 'error' : roll < 100 ? 'warn' : roll < 700 ? 'info' : 'debug';
    const entry = validateEntry({
      message: `request ${i} handled in ${random(500)} ms for user ${random(10_000)}`,
      level,
      source: sources[random(sources.length)],
      labels: { env: random(4) === 0 ? 'staging' : 'prod', region: `eu-${random(3)}` },
      timestamp: t0 + i * 10,
    });
    const payload = encodeEntry(entry, { nodeId: 'node1', nowMs: t0 + i * 10 });
    encodeMs += performance.now() - e0;
    log.push({ index: i + 1, term: 1, payload });
  }
  const builtMs = performance.now() - startMs;
  const heapBefore = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const a0 = performance.now();
  for (const stored of log) machine.apply(stored.index, stored.term, stored.payload);
  const applyMs = performance.now() - a0;
  global.gc?.();
  const heapAfter = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  console.log(`entries: ${count}`);
  console.log(
    `validate+encode: ${((encodeMs * 1000) / count).toFixed(2)} µs/entry (build ${builtMs.toFixed(0)} ms)`,
  );
  console.log(`apply: ${((applyMs * 1000) / count).toFixed(2)} µs/entry (${applyMs.toFixed(0)} ms total)`);
  const stats = machine.stats();
  console.log(
    `index arrays: ${(stats.index_bytes / 2 ** 20).toFixed(1)} MiB (${(stats.index_bytes / count).toFixed(1)} B/entry); ` +
      `heap growth while applying (incl. dedup window of ${stats.dedup_window}): ${((heapAfter - heapBefore) / 2 ** 20).toFixed(1)} MiB`,
  );
}

function time(name: string, run: () => unknown, runs = 50): void {
  run();
  const samples: number[] = [];
  let size = 0;
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    const result = run() as { entries?: unknown[] };
    samples.push(performance.now() - s);
    size = result?.entries?.length ?? 1;
  }
  samples.sort((a, b) => a - b);
  const p50 = samples[Math.floor(runs / 2)];
  const p99 = samples[Math.min(runs - 1, Math.floor(runs * 0.99))];
  console.log(
    `${name.padEnd(58)} ${p50.toFixed(3).padStart(8)} ms p50 ${p99.toFixed(3).padStart(8)} ms p99  (${size} rows)`,
  );
}

build();
const q = (query: Partial<LogQuery>) => () => machine.query({ limit: 100, order: 'desc', ...query });
const endMs = t0 + count * 10;
time('newest 100, no filter', q({}));
time('newest 100, level=error', q({ levels: ['error'] }));
time('newest 100, level=fatal (0.1%)', q({ levels: ['fatal'] }));
time('newest 100, min_level=warn (union of 3 lists)', q({ levels: [...LEVELS.slice(3)] }));
time('newest 100, source=service-7', q({ source: 'service-7' }));
time(
  'newest 100, level=error & source & label env=staging',
  q({ levels: ['error'], source: 'service-7', labels: { env: 'staging' } }),
);
time('newest 100, since=15m', q({ sinceMs: endMs - 15 * 60_000 }));
time(
  'oldest 100 in a 1 h window in the middle (asc)',
  q({ sinceMs: t0 + (count * 10) / 2, untilMs: t0 + (count * 10) / 2 + 3_600_000, order: 'asc' }),
);
time('level=error page 50 (cursor in the middle)', q({ levels: ['error'], after: Math.floor(count / 2) }));
time('contains "user 4242" (~1 in 10,000: bounded by the read budget)', q({ contains: 'user 4242' }), 10);
time(
  'level=error & contains "user 42" (reads only errors)',
  q({ levels: ['error'], contains: 'user 42' }),
  10,
);
time('read by index', () => machine.read({ kind: 'index', index: Math.floor(count / 3) }), 1000);
time(
  'read by id (beyond the dedup window)',
  () => machine.read({ kind: 'id', id: machine.read({ kind: 'index', index: 17 }).id }),
  1000,
);
