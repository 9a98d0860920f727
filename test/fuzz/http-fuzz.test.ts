/**
 * Hostile input against a running cluster of node processes: fast-check sends random and
 * near-valid requests (methods, paths, query strings, headers, bodies, encodings, content types,
 * sizes, raw garbage) for a bounded time. No reply may be a 5xx other than a documented 503, every
 * error must have the API's JSON shape with its registry status, nothing may hang, and afterwards
 * every node is alive, healthy, under its memory bound, and serves what it acknowledged.
 * Longer: `npm run fuzz -- --duration 5m`.
 */
import { randomInt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { ClusterManager } from '../../lib/index.js';
import { checkAfterFuzz, runFuzz } from './fuzz-run.js';

/** Bounded for CI on 2 shared cores. */
const FUZZ_DURATION_MS = 10_000;

test('the HTTP API survives a fuzzing barrage', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'lc-fuzz-'));
  const cluster = new ClusterManager({ nodes: 3, basePort: 0, dataDir });
  t.teardown(async () => {
    await cluster.stop();
    await rm(dataDir, { recursive: true, force: true });
  });
  await cluster.start();
  const seed = Number(process.env.LOGCLUSTER_FUZZ_SEED ?? randomInt(2 ** 31));
  t.log(`fast-check seed ${seed} (replay: npm run fuzz -- --seed ${seed})`);
  const report = await runFuzz(
    cluster.config.nodes.map((n) => n.port),
    FUZZ_DURATION_MS,
    seed,
  );
  t.log(
    `${report.requests} requests, slowest ${report.slowestMs} ms, by status ${JSON.stringify(report.byStatus)}`,
  );
  t.is(report.finding, null);
  t.true(report.requests > 100, 'the fuzzer got through a fair number of requests');
  t.true(report.acknowledged.length > 0, 'valid writes were mixed in and acknowledged');
  t.deepEqual(await checkAfterFuzz(cluster, report), []);
});
