import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { resolveClusterConfig } from '../../lib/cluster/config.js';
import { processStatus, signalPid, waitForExit } from '../../lib/cluster/pids.js';
import {
  assertDirWritable,
  assertPortsFree,
  ephemeralPortRange,
  findFreePortRange,
  probePort,
} from '../../lib/cluster/preflight.js';
import {
  readClusterState,
  removeClusterState,
  stateFilePath,
  writeClusterState,
} from '../../lib/cluster/state-file.js';

test('a bound port is reported as PORT_IN_USE naming the port; a free range is free', async (t) => {
  const base = await findFreePortRange('127.0.0.1', 3);
  const ephemeral = ephemeralPortRange();
  t.true(base + 2 < ephemeral.low || base > ephemeral.high, `${base} is outside the ephemeral range`);
  for (let i = 0; i < 3; i += 1) t.is(await probePort('127.0.0.1', base + i), null);
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(base + 1, '127.0.0.1', resolve));
  try {
    const error = await t.throwsAsync(
      assertPortsFree([0, 1, 2].map((i) => ({ host: '127.0.0.1', port: base + i }))),
    );
    t.is((error as { code?: string }).code, 'PORT_IN_USE');
    t.regex(error!.message, new RegExp(`port ${base + 1} on 127.0.0.1 is already in use`));
  } finally {
    server.close();
  }
});

test('a data dir that cannot be created is DATA_DIR_UNWRITABLE naming it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lc-preflight-'));
  try {
    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    const error = await t.throwsAsync(assertDirWritable(join(file, 'data')));
    t.is((error as { code?: string }).code, 'DATA_DIR_UNWRITABLE');
    t.regex(error!.message, /a-file\/data is not writable \(ENOTDIR\)/);
    await t.notThrowsAsync(assertDirWritable(join(dir, 'nested', 'ok')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the state file round-trips with mode 0600; a missing one is NOT_RUNNING', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lc-state-'));
  try {
    const config = resolveClusterConfig([
      { origin: 'option', label: 'o', baseDir: dir, values: { dataDir: dir } },
    ]);
    const missing = await t.throwsAsync(readClusterState(dir));
    t.is((missing as { code?: string }).code, 'NOT_RUNNING');
    const state = {
      version: 1,
      mode: 'detached' as const,
      ownerPid: null,
      startedAt: new Date().toISOString(),
      config,
      nodes: [{ id: 'node1', url: 'http://127.0.0.1:1', pid: 42, voter: true, logFile: 'x' }],
    };
    await writeClusterState(state);
    t.deepEqual(await readClusterState(dir), state);
    t.is((await stat(stateFilePath(dir))).mode & 0o777, 0o600);
    await writeFile(stateFilePath(dir), '{"version": 99, "nodes": []}');
    const bad = await t.throwsAsync(readClusterState(dir));
    t.is((bad as { code?: string }).code, 'CONFIG_INVALID');
    await removeClusterState(dir);
    await removeClusterState(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('processStatus sees running, paused and gone processes', async (t) => {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const pid = child.pid!;
  try {
    t.is(processStatus(pid), 'running');
    t.is(processStatus(pid, 'no-such-marker'), 'gone', 'a pid running something else is not ours');
    signalPid(pid, 'SIGSTOP');
    const deadline = Date.now() + 2000;
    while (processStatus(pid) !== 'paused' && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    t.is(processStatus(pid), 'paused');
    signalPid(pid, 'SIGCONT');
    signalPid(pid, 'SIGKILL');
    await exited;
    t.true(await waitForExit([pid], 2000));
    t.is(processStatus(pid), 'gone');
    t.is(processStatus(null), 'gone');
    t.false(signalPid(pid, 'SIGTERM'));
  } finally {
    child.kill('SIGKILL');
  }
});
