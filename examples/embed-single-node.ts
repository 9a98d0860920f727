/**
 * Embed one logcluster node in your own process: start it, write through the client, read back,
 * stop. A single voter is its own majority, so every write is fsynced before it is acknowledged.
 *
 *   npx tsx examples/embed-single-node.ts [data-dir]
 *
 * In your project, import from 'logcluster' instead of '../lib/index.js'.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogClusterClient, StorageNode } from '../lib/index.js';

const dataDir = process.argv[2] ?? (await mkdtemp(join(tmpdir(), 'logcluster-embed-')));
const node = new StorageNode({ id: 'solo', port: 0, dataDir });
await node.start();
console.log(`node ${node.id} listening on ${node.url}`);

const client = new LogClusterClient({ nodes: [node.url] });
try {
  const written = await client.write({
    message: 'hello from an embedded node',
    level: 'info',
    source: 'example',
  });
  console.log(`stored ${written.file_path} at index ${written.index}`);
  const entry = await client.read(written.file_path);
  console.log(`read back: ${entry.original_data.message}`);
} finally {
  client.close();
  try {
    await node.stop();
  } finally {
    if (process.argv[2] === undefined) await rm(dataDir, { recursive: true, force: true });
  }
}
