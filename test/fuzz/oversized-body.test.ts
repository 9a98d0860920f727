/**
 * An oversized body is refused with 413 BODY_TOO_LARGE and `Connection: close` (docs/api.md).
 * Regression (found by this suite): the server used to close the socket as soon as the reply was
 * flushed while body bytes were still arriving; TCP then reset the connection, and a client that
 * read its reply a moment later (any client still busy sending) got ECONNRESET/EPIPE instead of
 * the 413. Now it answers, then reads and discards for LINGER_MS before closing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { BODY_BYTES_MAX } from '../../lib/http/limits.js';
import { StorageNode } from '../../lib/index.js';

/** The client reads its reply this late: still well inside the server's LINGER_MS. */
const READ_DELAY_MS = 300;

function postOversized(port: number): Promise<string> {
  return new Promise((resolve) => {
    const size = BODY_BYTES_MAX + 1024 * 1024;
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.pause();
    socket.on('connect', () => {
      socket.write(
        `POST /write HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${size}\r\n\r\n`,
      );
      socket.write(Buffer.alloc(size, 'a'));
      setTimeout(() => socket.resume(), READ_DELAY_MS);
    });
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(received.split('\r\n')[0]));
  });
}

test('a client that reads its reply late still gets the 413', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lc-oversized-'));
  const node = new StorageNode({ id: 'solo', port: 0, dataDir: dir });
  t.teardown(async () => {
    await node.stop();
    await rm(dir, { recursive: true, force: true });
  });
  await node.start();
  t.is(await postOversized(node.port), 'HTTP/1.1 413 Payload Too Large');
});
