/**
 * An application that logs through LogClusterClient: a batch of writes (one consensus round),
 * then queries by level and by label.
 *
 *   npx logcluster start --detach            # a cluster on 127.0.0.1:5001-5003
 *   npx tsx examples/client-app.ts [url,...]  # default: LOGCLUSTER_URL, else the default nodes
 *
 * In your project, import from 'logcluster' instead of '../lib/index.js'.
 */
import { LogClusterClient } from '../lib/index.js';

const nodes =
  process.argv[2] ??
  process.env.LOGCLUSTER_URL ??
  'http://127.0.0.1:5001,http://127.0.0.1:5002,http://127.0.0.1:5003';
const client = new LogClusterClient({ nodes });
const run = `run-${Date.now()}`;

try {
  const results = await client.write([
    { message: 'checkout started', level: 'info', source: 'shop', labels: { run } },
    { message: 'payment declined', level: 'warn', source: 'shop', labels: { run } },
    { message: 'inventory service timeout', level: 'error', source: 'shop', labels: { run } },
  ]);
  console.log(`stored ${results.length} entries, last at index ${results.at(-1)?.index}`);

  const problems = await client.query({ labels: { run }, min_level: 'warn' });
  for (const entry of problems.entries) {
    console.log(`${entry.original_data.level.toUpperCase()} ${entry.original_data.message}`);
  }
  const all = await client.query({ labels: { run } });
  console.log(
    `${all.entries.length} entries in this run, ${problems.entries.length} of them warnings or worse`,
  );
} finally {
  client.close();
}
