import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import {
  type ControlRequest,
  controlSocketPath,
  sendControl,
  serveControl,
} from '../../lib/cluster/control-socket.js';

test('requests reach the handler; the socket is private and removed on close', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lc-ctl-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = controlSocketPath(dir, 'node1');
  t.is(path, join(dir, 'run', 'node1.sock'));
  const seen: ControlRequest[] = [];
  const server = await serveControl(path, (request) => seen.push(request));
  t.is(statSync(path).mode & 0o777, 0o600);
  await sendControl(path, { type: 'isolate', direction: 'in' });
  await sendControl(path, { type: 'heal' });
  t.deepEqual(seen, [{ type: 'isolate', direction: 'in' }, { type: 'heal' }]);

  const refused = await new Promise<string>((resolve) => {
    const socket = createConnection(path, () => socket.write('{"type":"stop"}\n'));
    let reply = '';
    socket.on('data', (chunk) => (reply += chunk));
    socket.on('end', () => resolve(reply));
  });
  t.regex(refused, /"ok":false,"error":"unknown request stop"/);
  t.is(seen.length, 2);

  await new Promise<void>((resolve) => server.close(() => resolve()));
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.false(existsSync(path));
  const error = await t.throwsAsync(sendControl(path, { type: 'heal' }));
  t.is((error as { code?: string }).code, 'NOT_RUNNING');
});

test('a data dir too deep for a socket path falls back to the temp dir', (t) => {
  const deep = join('/tmp', 'x'.repeat(120));
  const path = controlSocketPath(deep, 'node1');
  t.true(path.startsWith(join(tmpdir(), 'logcluster-')));
  t.true(Buffer.byteLength(path) < 100);
  t.is(controlSocketPath(deep, 'node1'), path, 'stable for the same node');
  t.not(controlSocketPath(deep, 'node2'), path);
});
