/**
 * The exit-time delivery child (see exit-flush.ts): reads an ExitFlushJob on stdin, writes its
 * entries (ids already set, so re-sent ones are answered as duplicates) in batches, retrying
 * what the cluster cannot take now until the job's deadline. Exit code 0 when every entry was
 * acknowledged, 1 otherwise.
 */

import { LogClusterClient } from '../../client/client.js';
import { isLogClusterError } from '../../errors.js';
import type { ExitFlushJob } from './exit-flush.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<number> {
  const job = JSON.parse(await readStdin()) as ExitFlushJob;
  const deadline = Date.now() + job.timeoutMs;
  const client = new LogClusterClient({
    nodes: job.nodes as string[],
    retries: 2,
    ...(job.token === undefined ? {} : { token: job.token }),
  });
  let failed = 0;
  for (let start = 0; start < job.entries.length; start += job.batchSize) {
    const batch = job.entries.slice(start, start + job.batchSize);
    for (;;) {
      try {
        await client.write([...batch]);
        break;
      } catch (error) {
        const retryable = isLogClusterError(error) && (error.status >= 500 || error.status === 429);
        if (!retryable || Date.now() >= deadline) {
          failed += batch.length;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }
  client.close();
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  () => process.exit(1),
);
