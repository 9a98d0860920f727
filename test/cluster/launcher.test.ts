import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { launchNode, NODE_ENTRY_FILE, NODE_INITIAL_HEAP_MIB } from '../../lib/cluster/launcher.js';
import { processStatus, waitForExit } from '../../lib/cluster/pids.js';

test('the node entry sits next to the launcher with the same extension', (t) => {
  t.true(NODE_ENTRY_FILE.endsWith('lib/cluster/node-process.ts'), NODE_ENTRY_FILE);
  t.true(existsSync(NODE_ENTRY_FILE));
});

test('a node that cannot start rejects with its own error code and logs why', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lc-launch-'));
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  t.teardown(async () => {
    server.close();
    await rm(dir, { recursive: true, force: true });
  });
  const logFile = join(dir, 'logs', 'x.log');
  const error = await t.throwsAsync(
    launchNode({ options: { id: 'x', port, dataDir: join(dir, 'x') }, logFile }),
  );
  t.is((error as { code?: string }).code, 'PORT_IN_USE');
  t.regex(error!.message, new RegExp(`node x: Port ${port} on 127.0.0.1 is already in use`, 'i'));
  t.regex(readFileSync(logFile, 'utf8'), /PORT_IN_USE/, 'the child logged why');
});

test('a launched node answers, obeys stop over IPC, and exits', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lc-launch-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const node = await launchNode({ options: { id: 'solo', port: 0, dataDir: join(dir, 'solo') } });
  t.teardown(() => node.signal('SIGKILL'));
  t.regex(node.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  t.true(node.port > 0);
  const health = (await (await fetch(`${node.url}/health`)).json()) as { node_id: string };
  t.is(health.node_id, 'solo');
  const argv = readFileSync(`/proc/${node.pid}/cmdline`, 'utf8').split('\0');
  t.true(argv.includes(`--initial-heap-size=${NODE_INITIAL_HEAP_MIB}`), 'V8 starts with a roomy heap');
  t.true(node.send({ type: 'stop' }));
  const exit = await node.exited;
  t.is(exit.code, 0);
  t.true(await waitForExit([node.pid], 1000));
  t.is(processStatus(node.pid), 'gone');
});
