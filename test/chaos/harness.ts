/**
 * Test glue for chaos runs: a temp dir for the history file (removed in teardown), the seed
 * (LOGCLUSTER_CHAOS_SEED or random, always logged so a failure replays with `npm run chaos`), and
 * the data directory of a failed run shown in the test output.
 */
import { randomInt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { type ChaosOptions, defaultChaosOptions } from './options.js';
import { type ChaosResult, runChaos } from './run.js';
import { formatSummary } from './summary.js';

/** The seed of a test run: fixed by LOGCLUSTER_CHAOS_SEED to replay one, else random. */
export function testSeed(): number {
  const fixed = process.env.LOGCLUSTER_CHAOS_SEED;
  return fixed === undefined || fixed === '' ? randomInt(2 ** 31) : Number(fixed);
}

/** Runs chaos with `overrides`, logs the seed and summary into the test, and cleans up. */
export async function chaosInTest(
  t: ExecutionContext,
  seed: number,
  overrides: Partial<ChaosOptions>,
): Promise<ChaosResult> {
  const dir = await mkdtemp(join(tmpdir(), 'lc-chaos-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  t.log(`seed ${seed} (replay: npm run chaos -- --seed ${seed} ...)`);
  const lines: string[] = [];
  const options = defaultChaosOptions(seed, {
    historyPath: join(dir, 'history.json'),
    log: (line) => lines.push(line),
    ...overrides,
  });
  const result = await runChaos(options);
  t.log(`${lines.join('\n')}\n${formatSummary(result.summary)}`);
  if (result.dataDir !== null) {
    const kept = result.dataDir;
    t.teardown(() => rm(kept, { recursive: true, force: true }));
  }
  return result;
}
