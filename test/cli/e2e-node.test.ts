import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { CLI_PATH, cli, json, requireBuild, type Status } from '../helpers/cli.js';
import { freePortRange } from '../helpers/free-port.js';

/** Two processes elect a leader in about a second; allow for a loaded machine. */
const LEADER_DEADLINE_MS = 10_000;

test('`node` runs one member from flags or env; two of them form a cluster', async (t) => {
  if (!requireBuild(t)) return;
  const dir = await mkdtemp(join(tmpdir(), 'lc-node-'));
  const base = await freePortRange(2);
  const [a, b] = [`http://127.0.0.1:${base}`, `http://127.0.0.1:${base + 1}`];
  const first = execa(
    process.execPath,
    [
      CLI_PATH,
      'node',
      '--id',
      'a',
      '--port',
      String(base),
      '--data-dir',
      join(dir, 'a'),
      '--peers',
      `b=${b}`,
    ],
    {
      reject: false,
      env: { NO_COLOR: '1' },
    },
  );
  const second = execa(process.execPath, [CLI_PATH, 'node'], {
    reject: false,
    env: {
      NO_COLOR: '1',
      LOGCLUSTER_NODE_ID: 'b',
      LOGCLUSTER_PORT: String(base + 1),
      LOGCLUSTER_DATA_DIR: join(dir, 'b'),
      LOGCLUSTER_PEERS: `a=${a}`,
    },
  });
  t.teardown(async () => {
    first.kill('SIGKILL');
    second.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });
  const deadline = Date.now() + LEADER_DEADLINE_MS;
  let status: Status | null = null;
  while (Date.now() < deadline) {
    const result = await cli(['status', '--json', '--url', `${a},${b}`]);
    status = result.exitCode === 0 ? json<Status>(result) : null;
    if (status?.leader && status.nodes.every((n) => n.health === 'healthy')) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  t.deepEqual(
    status?.nodes.map((n) => n.id),
    ['a', 'b'],
  );
  t.truthy(status?.leader);
  const wrote = await cli(['write', 'across two node processes', '--url', `${a},${b}`]);
  t.is(wrote.exitCode, 0, String(wrote.stderr));
  first.kill('SIGTERM');
  second.kill('SIGTERM');
  const [x, y] = await Promise.all([first, second]);
  t.is(x.exitCode, 0);
  t.is(y.exitCode, 0);
  t.regex(String(x.stdout), /node a listening on http:\/\/127\.0\.0\.1:\d+/);
  t.regex(String(x.stdout) + String(y.stdout), /role +leader/);
});
