import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { resolveClusterConfig } from '../../lib/cluster/config.js';
import { loadClusterConfig } from '../../lib/cluster/config-load.js';
import { isLogClusterError } from '../../lib/errors.js';

async function withDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'lc-config-'));
  try {
    await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('defaults: three nodes on 127.0.0.1:5001-5003, three voters, data under ./data', async (t) => {
  const config = await loadClusterConfig({ cwd: '/srv/app', env: {} });
  t.deepEqual(
    config.nodes.map((n) => [n.id, n.url, n.dataDir, n.voter]),
    [
      ['node1', 'http://127.0.0.1:5001', '/srv/app/data/node1', true],
      ['node2', 'http://127.0.0.1:5002', '/srv/app/data/node2', true],
      ['node3', 'http://127.0.0.1:5003', '/srv/app/data/node3', true],
    ],
  );
  t.is(config.replicationFactor, 3);
  t.is(config.fsync, 'always');
  t.deepEqual(config.retention, { maxAgeMs: 0, maxBytes: 0 });
  t.is(config.token, null);
});

test('five nodes default to three voters and two learners', (t) => {
  const config = resolveClusterConfig([
    { origin: 'option', label: 'options', baseDir: '/x', values: { nodes: 5 } },
  ]);
  t.deepEqual(
    config.nodes.map((n) => n.voter),
    [true, true, true, false, false],
  );
});

test('precedence: defaults < file < env < flags; file paths are relative to the file', async (t) => {
  await withDir(async (dir) => {
    await writeFile(
      join(dir, 'logcluster.config.json'),
      JSON.stringify({
        nodes: 4,
        basePort: 7000,
        dataDir: 'store',
        host: '127.0.0.2',
        retention: { maxAgeMs: 5 },
      }),
    );
    const config = await loadClusterConfig({
      cwd: dir,
      env: { LOGCLUSTER_BASE_PORT: '8000', LOGCLUSTER_NODES: '5', LOGCLUSTER_RETENTION_MAX_BYTES: '99' },
      flags: { nodes: 2 },
    });
    t.is(config.nodes.length, 2, 'the flag wins over env and file');
    t.is(config.basePort, 8000, 'env wins over the file');
    t.is(config.host, '127.0.0.2', 'the file wins over defaults');
    t.is(config.dataDir, join(dir, 'store'));
    t.deepEqual(config.retention, { maxAgeMs: 5, maxBytes: 99 }, 'retention merges field by field');
    t.is(config.nodes[1].url, 'http://127.0.0.2:8001');
  });
});

test('an explicit node list keeps its ids, hosts and ports', (t) => {
  const config = resolveClusterConfig([
    {
      origin: 'file',
      label: 'config file c.json',
      baseDir: '/etc/lc',
      values: {
        nodes: [
          { id: 'a', port: 6000 },
          { id: 'b', host: '::1', port: 6001, dataDir: 'b-data' },
        ],
      },
    },
  ]);
  t.deepEqual(
    config.nodes.map((n) => [n.id, n.url, n.dataDir]),
    [
      ['a', 'http://127.0.0.1:6000', join(process.cwd(), 'data', 'a')],
      ['b', 'http://[::1]:6001', '/etc/lc/b-data'],
    ],
  );
});

async function configError(t: import('ava').ExecutionContext, content: string): Promise<string> {
  let message = '';
  await withDir(async (dir) => {
    const file = join(dir, 'bad.json');
    await writeFile(file, content);
    const error = await t.throwsAsync(loadClusterConfig({ cwd: dir, env: {}, configPath: file }));
    t.true(isLogClusterError(error));
    t.is((error as { code?: string }).code, 'CONFIG_INVALID');
    t.true(error!.message.includes(file), `names the file: ${error!.message}`);
    message = error!.message;
  });
  return message;
}

test('a malformed file names the file and the field', async (t) => {
  t.regex(await configError(t, '{"nodes": "three"}'), /field "nodes" must be an integer/);
  t.regex(await configError(t, '{"basePort": 70000}'), /field "basePort"/);
  t.regex(
    await configError(t, '{"nodes": 2, "replicationFactor": 3}'),
    /field "replicationFactor" must not exceed/,
  );
  t.regex(await configError(t, '{"fsync": "never"}'), /field "fsync" must be "always"/);
  t.regex(
    await configError(t, '{"retention": {"maxAge": 1}}'),
    /field "retention.maxAge" is not a known field/,
  );
  t.regex(await configError(t, '{"nodez": 3}'), /field "nodez" is not a known setting/);
  t.regex(await configError(t, '{"nodes": [{"id": "a"}, {"id": "a"}]}'), /field "nodes\[1\]\.id" repeats/);
  t.regex(await configError(t, '{"token": "short"}'), /field "token" .*<redacted>/);
  t.regex(await configError(t, '{"electionTimeoutMs": 100, "tickIntervalMs": 50}'), /electionTimeoutMs/);
  t.regex(await configError(t, '{"nodes": 3,'), /is not valid JSON/);
  t.regex(await configError(t, '[1]'), /must be a JSON object/);
});

test('a missing explicit config file is an error; a missing default file is not', async (t) => {
  await withDir(async (dir) => {
    const error = await t.throwsAsync(loadClusterConfig({ cwd: dir, env: {}, configPath: 'nope.json' }));
    t.regex(error!.message, /nope\.json cannot be read \(ENOENT\)/);
    await t.notThrowsAsync(loadClusterConfig({ cwd: dir, env: {} }));
  });
});

test('env and flag errors name the variable or the flag', async (t) => {
  const envError = await t.throwsAsync(loadClusterConfig({ cwd: '/', env: { LOGCLUSTER_BASE_PORT: 'abc' } }));
  t.regex(envError!.message, /environment variable LOGCLUSTER_BASE_PORT must be an integer/);
  const flagError = await t.throwsAsync(
    loadClusterConfig({ cwd: '/', env: {}, flags: { nodes: 0 }, flagNames: { nodes: '--nodes' } }),
  );
  t.regex(flagError!.message, /flag --nodes must be an integer from 1/);
});

test('library options fail with INVALID_OPTION naming the option', (t) => {
  const error = t.throws(() =>
    resolveClusterConfig([{ origin: 'option', label: 'options', baseDir: '/', values: { basePort: -1 } }]),
  );
  t.is((error as { code?: string }).code, 'INVALID_OPTION');
  t.regex(error!.message, /option basePort must be an integer/);
});
