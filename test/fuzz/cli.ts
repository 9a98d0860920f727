/**
 * `npm run fuzz -- [--duration 5m] [--seed N] [--nodes 3]`: the HTTP fuzzer against a fresh
 * cluster of node processes for as long as asked. Prints the seed first; exit 1 on a finding or
 * when the cluster is not whole afterwards.
 */
import { randomInt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ClusterManager } from '../../lib/index.js';
import { parseDuration } from '../chaos/options.js';
import { checkAfterFuzz, runFuzz } from './fuzz-run.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '60s' },
    seed: { type: 'string' },
    nodes: { type: 'string', default: '3' },
  },
  strict: true,
});
const seed = values.seed === undefined ? randomInt(2 ** 31) : Number(values.seed);
process.stdout.write(`fuzz seed ${seed}\n`);
const durationMs = parseDuration(values.duration);
const dataDir = await mkdtemp(join(tmpdir(), 'lc-fuzz-'));
const cluster = new ClusterManager({ nodes: Number(values.nodes), basePort: 0, dataDir });
let failed = false;
try {
  await cluster.start();
  const report = await runFuzz(
    cluster.config.nodes.map((n) => n.port),
    durationMs,
    seed,
  );
  process.stdout.write(
    `${report.requests} requests in ${durationMs / 1000} s; slowest reply ${report.slowestMs} ms\n` +
      `by status: ${JSON.stringify(report.byStatus)}\n` +
      `valid writes acknowledged: ${report.acknowledged.length}\n`,
  );
  if (report.finding !== null) {
    failed = true;
    process.stdout.write(`\nFINDING:\n${report.finding}\n`);
  }
  const problems = await checkAfterFuzz(cluster, report);
  for (const problem of problems) process.stdout.write(`AFTER THE RUN: ${problem}\n`);
  failed ||= problems.length > 0;
  process.stdout.write(
    failed ? `\nFAILED (seed ${seed}); node logs in ${dataDir}/logs\n` : `\nno findings (seed ${seed})\n`,
  );
} finally {
  await cluster.stop();
  if (!failed) await rm(dataDir, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
