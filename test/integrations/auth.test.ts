import { randomUUID } from 'node:crypto';
import test from 'ava';
import winston from 'winston';
import { LogClusterTransport } from '../../lib/integrations/winston/index.js';
import { type Cluster, readAll, startNodes } from './helpers.js';

// Nodes started with a token guard the ingestion routes like /write; the transports send it.
const TOKEN = 'integration-secret-token';
let cluster: Cluster;
test.before(async () => {
  cluster = await startNodes({ token: TOKEN });
});
test.after.always(async () => {
  await cluster?.close();
});

const auth = { authorization: `Bearer ${TOKEN}` };

test('the Loki and OTLP routes need the token; with it they store', async (t) => {
  const run = randomUUID();
  const loki = JSON.stringify({
    streams: [{ stream: { run }, values: [[`${Date.now()}000000`, 'with token']] }],
  });
  const otlp = JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'run', value: { stringValue: run } }] },
        scopeLogs: [{ logRecords: [{ body: { stringValue: 'otlp with token' } }] }],
      },
    ],
  });
  const json = { 'content-type': 'application/json' };
  for (const [path, body] of [
    ['/loki/api/v1/push', loki],
    ['/v1/logs', otlp],
  ]) {
    const refused = await fetch(`${cluster.urls.node1}${path}`, { method: 'POST', headers: json, body });
    t.is(refused.status, 401, path);
    t.is(((await refused.json()) as { code: string }).code, 'UNAUTHORIZED');
    const accepted = await fetch(`${cluster.urls.node1}${path}`, {
      method: 'POST',
      headers: { ...json, ...auth },
      body,
    });
    t.true(accepted.ok, path);
  }
  const entries = await readAll(cluster.urls.node2, `label.run=${run}`, auth);
  t.deepEqual(entries.map((e) => e.original_data.message).sort(), ['otlp with token', 'with token']);
});

test('the winston transport sends the token; a wrong one drops and reports instead of retrying forever', async (t) => {
  const run = randomUUID();
  const good = new LogClusterTransport({
    nodes: Object.values(cluster.urls),
    token: TOKEN,
    labels: { run },
    flushIntervalMs: 10,
  });
  const reported: number[] = [];
  const bad = new LogClusterTransport({
    nodes: Object.values(cluster.urls),
    token: 'not-the-token',
    labels: { run },
    flushIntervalMs: 10,
    onError: (_error, entries) => reported.push(entries.length),
  });
  const logger = winston.createLogger({ transports: [good, bad] });
  logger.info('one');
  logger.warn('two');
  await good.flush();
  await bad.flush();
  await good.closeAsync();
  await bad.closeAsync();
  t.is((await readAll(cluster.urls.node1, `label.run=${run}`, auth)).length, 2);
  t.deepEqual(reported, [2]);
  t.is(bad.stats.dropped, 2);
});
