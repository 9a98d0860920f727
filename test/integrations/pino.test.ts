import { randomUUID } from 'node:crypto';
import test from 'ava';
import { type Cluster, readAll, requireDist, runApp, startNodes, waitForEntries } from './helpers.js';

// logcluster/pino driven by real pino through pino.transport (a worker thread loading the built
// package by its export name), in its own process, against a real 3-node cluster.
let cluster: Cluster;
test.before(async () => {
  cluster = await startNodes();
});
test.after.always(async () => {
  await cluster?.close();
});

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

function checkRun(t: any, entries: any[], count: number): void {
  const seqs = entries.map((e) => e.original_data.labels?.seq).filter((s) => s !== undefined);
  t.is(entries.length, count + 1, 'every line once (plus the error line), nothing duplicated');
  t.is(new Set(seqs).size, count, 'each seq exactly once');
  t.is(new Set(entries.map((e) => e.id)).size, entries.length);
}

test.serial(
  'a process that logs and exits at once has delivered everything; fields are mapped',
  async (t) => {
    if (!requireDist(t)) return;
    const run = randomUUID();
    const count = 600;
    const result = await runApp('pino-app.mjs', [Object.values(cluster.urls).join(','), run, String(count)]);
    t.is(result.code, 0, result.stderr);
    // Everything was acknowledged before the process ended: read at once, no waiting.
    const entries = await readAll(cluster.anyUrl(), `label.run=${run}`);
    checkRun(t, entries, count);
    const first = entries.find((e) => e.original_data.labels?.seq === '7')!.original_data;
    t.is(first.message, 'pino line 7');
    t.is(first.level, LEVELS[7 % 6]);
    t.is(first.source, 'pino-app');
    t.is(first.labels.name, 'checkout');
    t.truthy(first.labels.pid && first.labels.hostname);
    t.deepEqual(first.fields.order, { id: 'o-7', items: [1, 2] });
    const error = entries.find((e) => e.original_data.message === 'with an error')!.original_data;
    t.is(error.level, 'error');
    t.is(error.fields.err.message, 'boom');
    t.regex(error.fields.err.stack, /Error: boom/);
    // The timestamp is pino's `time`, not the leader's clock at the flush.
    const times = entries.map((e) => Date.parse(e.timestamp));
    t.true(Math.max(...times) - Math.min(...times) < 5_000);
  },
);

test.serial('a leader failover while logging loses nothing and duplicates nothing', async (t) => {
  if (!requireDist(t)) return;
  const run = randomUUID();
  const count = 3000;
  const app = runApp(
    'pino-app.mjs',
    [Object.values(cluster.urls).join(','), run, String(count), '10', '50'],
    60_000,
  );
  const leader = await cluster.leader();
  // Fail the leader once the app's entries are flowing.
  await waitForEntries(() => cluster.anyUrl(leader), `label.run=${run}`, 300);
  await cluster.stopNode(leader);
  const result = await app;
  t.is(result.code, 0, result.stderr);
  const newLeader = await cluster.leader();
  t.not(newLeader, leader);
  const entries = await readAll(cluster.urls[newLeader], `label.run=${run}`);
  checkRun(t, entries, count);
  // In order: the transport keeps one batch in flight at a time.
  const seqs = entries.map((e) => Number(e.original_data.labels.seq)).filter((s) => !Number.isNaN(s));
  t.deepEqual(
    seqs,
    [...seqs].sort((a, b) => a - b),
  );
});
