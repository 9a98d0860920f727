import { randomUUID } from 'node:crypto';
import test from 'ava';
import winston from 'winston';
import { LogClusterTransport } from '../../lib/integrations/winston/index.js';
import { type Cluster, readAll, requireDist, runApp, startNodes, waitForEntries } from './helpers.js';

// logcluster/winston driven by real winston: in a separate process through the package export
// (exit at once, natural exit), and in this process through a leader failover.
let cluster: Cluster;
test.before(async () => {
  cluster = await startNodes();
});
test.after.always(async () => {
  await cluster?.close();
});

// winston npm levels -> logcluster levels (docs/integrations/winston.md).
const EXPECTED: Record<string, string> = {
  silly: 'trace',
  debug: 'debug',
  verbose: 'debug',
  http: 'info',
  info: 'info',
  warn: 'warn',
  error: 'error',
};
const LEVELS = ['silly', 'debug', 'verbose', 'http', 'info', 'warn', 'error'];

for (const mode of ['exit', 'natural']) {
  test.serial(
    `a process that logs and ends (${mode}) has delivered everything; fields are mapped`,
    async (t) => {
      if (!requireDist(t)) return;
      const run = randomUUID();
      const count = 500;
      const result = await runApp('winston-app.mjs', [
        Object.values(cluster.urls).join(','),
        run,
        String(count),
        mode,
      ]);
      t.is(result.code, 0, result.stderr);
      const entries = await readAll(cluster.anyUrl(), `label.run=${run}`);
      t.is(entries.length, count);
      t.is(new Set(entries.map((e) => e.original_data.labels.seq)).size, count);
      for (const entry of entries) {
        const data = entry.original_data;
        const seq = Number(data.labels.seq);
        t.is(data.message, `winston line ${seq}`);
        t.is(data.level, EXPECTED[LEVELS[seq % LEVELS.length]]);
        t.is(data.source, 'winston-app');
        t.deepEqual(data.fields, { order: { id: `o-${seq}` } });
      }
    },
  );
}

test.serial('a leader failover while logging loses nothing and duplicates nothing', async (t) => {
  const run = randomUUID();
  const transport = new LogClusterTransport({
    nodes: Object.values(cluster.urls),
    flushIntervalMs: 20,
    batchSize: 50,
    labels: { run },
  });
  const logger = winston.createLogger({ transports: [transport] });
  const count = 3000;
  const leader = await cluster.leader();
  let stopped: Promise<void> | null = null;
  for (let seq = 0; seq < count; seq++) {
    logger.info(`failover line ${seq}`, { seq });
    if (seq % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 2));
    if (seq === 600) {
      await waitForEntries(() => cluster.anyUrl(leader), `label.run=${run}`, 100);
      stopped = cluster.stopNode(leader);
    }
  }
  await stopped;
  await transport.flush();
  t.is(transport.pending, 0);
  await transport.closeAsync();
  const newLeader = await cluster.leader();
  t.not(newLeader, leader);
  const entries = await readAll(cluster.urls[newLeader], `label.run=${run}`);
  t.is(entries.length, count);
  const seqs = entries.map((e) => Number(e.original_data.labels.seq));
  t.is(new Set(seqs).size, count);
  t.deepEqual(
    seqs,
    [...seqs].sort((a, b) => a - b),
  );
  t.is(transport.stats.dropped, 0);
});
