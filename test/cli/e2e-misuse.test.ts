import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { Result } from 'execa';
import { resolveClusterConfig } from '../../lib/cluster/config.js';
import { writeClusterState } from '../../lib/cluster/state-file.js';
import { EXIT } from '../../lib/errors.js';
import { cli, requireBuild } from '../helpers/cli.js';
import { freePortRange } from '../helpers/free-port.js';

async function tempDir(t: import('ava').ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lc-misuse-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The error contract: nothing on stdout, exactly one stderr line `error CODE: ...`, the exit code. */
function oneLineError(
  t: import('ava').ExecutionContext,
  result: Result,
  code: string,
  exitCode: number,
  pattern: RegExp,
): void {
  t.is(result.stdout, '');
  const lines = String(result.stderr)
    .split('\n')
    .filter((l) => l !== '');
  t.is(lines.length, 1, `one line: ${result.stderr}`);
  t.true(lines[0].startsWith(`error ${code}: `), lines[0]);
  t.regex(lines[0], pattern);
  t.is(result.exitCode, exitCode);
}

test('a port in use', async (t) => {
  if (!requireBuild(t)) return;
  const dir = await tempDir(t);
  const base = await freePortRange(3);
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(base + 2, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const result = await cli(['start', '--detach', '--base-port', String(base), '--data-dir', dir]);
  oneLineError(
    t,
    result,
    'PORT_IN_USE',
    EXIT.config,
    new RegExp(`port ${base + 2} on 127.0.0.1 is already in use`),
  );
});

test('an unwritable data dir', async (t) => {
  if (!requireBuild(t)) return;
  const dir = await tempDir(t);
  await writeFile(join(dir, 'file'), '');
  const base = await freePortRange(3);
  const result = await cli([
    'start',
    '--detach',
    '--base-port',
    String(base),
    '--data-dir',
    join(dir, 'file', 'data'),
  ]);
  oneLineError(t, result, 'DATA_DIR_UNWRITABLE', EXIT.storage, /file\/data is not writable/);
});

test('an unknown node name', async (t) => {
  if (!requireBuild(t)) return;
  const dir = await tempDir(t);
  const config = resolveClusterConfig([
    { origin: 'option', label: 'test', baseDir: dir, values: { dataDir: dir } },
  ]);
  await writeClusterState({
    version: 1,
    mode: 'detached',
    ownerPid: null,
    startedAt: new Date().toISOString(),
    config,
    nodes: config.nodes.map((n) => ({ id: n.id, url: n.url, pid: null, voter: n.voter, logFile: '' })),
  });
  const fail = await cli(['fail', 'node9', '--mode', 'kill', '--data-dir', dir]);
  oneLineError(
    t,
    fail,
    'UNKNOWN_NODE',
    EXIT.notFound,
    /no node named "node9" \(nodes: node1, node2, node3\)/,
  );
  const recover = await cli(['recover', 'node9', '--data-dir', dir]);
  oneLineError(t, recover, 'UNKNOWN_NODE', EXIT.notFound, /node9/);
});

test('stop with nothing running', async (t) => {
  if (!requireBuild(t)) return;
  const dir = await tempDir(t);
  oneLineError(
    t,
    await cli(['stop', '--data-dir', dir]),
    'NOT_RUNNING',
    EXIT.notFound,
    /no cluster is running in/,
  );
  oneLineError(
    t,
    await cli(['status', '--data-dir', dir]),
    'NOT_RUNNING',
    EXIT.notFound,
    /no cluster is running in/,
  );
});

test('a malformed config file names the file and the field', async (t) => {
  if (!requireBuild(t)) return;
  const dir = await tempDir(t);
  const file = join(dir, 'logcluster.config.json');
  await writeFile(file, JSON.stringify({ nodes: 3, replicationFactor: 'three' }));
  const explicit = await cli(['start', '--detach', '--config', file, '--data-dir', dir]);
  oneLineError(
    t,
    explicit,
    'CONFIG_INVALID',
    EXIT.config,
    new RegExp(`${file}: field "replicationFactor" must be an integer`),
  );
  const found = await cli(['start', '--detach', '--data-dir', dir], { cwd: dir });
  oneLineError(t, found, 'CONFIG_INVALID', EXIT.config, /field "replicationFactor"/);
  await writeFile(file, '{"nodes": 3,');
  oneLineError(t, await cli(['start', '--config', file]), 'CONFIG_INVALID', EXIT.config, /is not valid JSON/);
});

test('start where a live cluster is recorded is ALREADY_RUNNING; stop then ends it', async (t) => {
  if (!requireBuild(t)) return;
  const dir = await tempDir(t);
  // A stand-in whose command line names node-process, as a real node's does.
  const fake = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'node-process'], {
    stdio: 'ignore',
  });
  t.teardown(() => fake.kill('SIGKILL'));
  const config = resolveClusterConfig([
    { origin: 'option', label: 'test', baseDir: dir, values: { dataDir: dir } },
  ]);
  await writeClusterState({
    version: 1,
    mode: 'detached',
    ownerPid: null,
    startedAt: new Date().toISOString(),
    config,
    nodes: config.nodes.map((n, i) => ({
      id: n.id,
      url: n.url,
      pid: i === 0 ? fake.pid! : null,
      voter: n.voter,
      logFile: '',
    })),
  });
  const base = await freePortRange(3);
  const again = await cli(['start', '--detach', '--base-port', String(base), '--data-dir', dir]);
  oneLineError(t, again, 'ALREADY_RUNNING', EXIT.conflict, new RegExp(`node1 pid ${fake.pid}`));
  const exited = new Promise((resolve) => fake.once('exit', resolve));
  const stopped = await cli(['stop', '--data-dir', dir]);
  t.is(stopped.exitCode, 0, String(stopped.stderr));
  await exited;
  t.is((await cli(['status', '--data-dir', dir])).exitCode, EXIT.notFound);
});
