/**
 * The do-nothing ceiling (process entry, forked by the harness): a bare node:http server that
 * reads and JSON-parses each request body and answers with a reply shaped like the node's —
 * a write result for POST, an entry record for GET — so the only difference to a real node is
 * everything a real node does. Reports `{port}` over IPC, exits when the harness goes away.
 */

import { createHash } from 'node:crypto';
import { createServer } from 'node:http';

let index = 0;
const originalData = { message: 'x'.repeat(200), level: 'info', source: 'bench' };
const checksum = createHash('sha256').update(JSON.stringify(originalData)).digest('hex');

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const text = Buffer.concat(chunks).toString('utf8');
    const entry = text === '' ? {} : (JSON.parse(text) as { id?: string });
    index++;
    const filePath = `log_${String(index).padStart(20, '0')}.json`;
    const reply =
      req.method === 'GET'
        ? {
            success: true,
            data: {
              file_path: filePath,
              id: `id-${index}`,
              index,
              term: 1,
              timestamp: new Date().toISOString(),
              node_id: 'node1',
              original_data: originalData,
              checksum,
            },
          }
        : {
            success: true,
            file_path: filePath,
            id: entry.id ?? `id-${index}`,
            index,
            term: 1,
            leader_id: 'node1',
            replicas: 3,
            duplicate: false,
          };
    const body = JSON.stringify(reply);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
// The node's keep-alive timeout (lib/http/limits.ts KEEP_ALIVE_TIMEOUT_MS): same connection reuse.
server.keepAliveTimeout = 5_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});
process.on('disconnect', () => process.exit(0));
