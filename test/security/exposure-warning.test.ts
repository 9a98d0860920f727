/**
 * Nodes listen on 127.0.0.1 unless told otherwise; binding another address without a client
 * token prints a warning — from `logcluster node` on stderr, and from ClusterManager and
 * DetachedCluster (`logcluster start`) as a process warning with code LOGCLUSTER_EXPOSED.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { ClusterManager, EXPOSURE_WARNING_CODE, exposureWarning, isLoopbackHost } from '../../lib/index.js';
import { CLI_PATH, requireBuild } from '../helpers/cli.js';
import { freePortRange } from '../helpers/free-port.js';

/** A node command that has not said "listening" by then is stuck. */
const LISTEN_DEADLINE_MS = 15_000;

test('exposureWarning: loopback never warns, other addresses warn unless a token is set', (t) => {
  for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', 'LOCALHOST']) {
    t.true(isLoopbackHost(host), host);
    t.is(exposureWarning([host], undefined), null, host);
  }
  for (const host of ['0.0.0.0', '::', '10.0.0.5', 'example.internal', '128.0.0.1']) {
    t.false(isLoopbackHost(host), host);
    t.regex(exposureWarning([host], undefined) ?? '', /without a token/, host);
    t.is(exposureWarning([host], 'a-token-1234'), null, `${host} with a token`);
  }
  t.regex(exposureWarning(['0.0.0.0'], null, null) ?? '', /cluster secret/);
  t.notRegex(exposureWarning(['0.0.0.0'], null, 'the-secret-123') ?? '', /the-secret-123|cluster secret/);
  t.is(exposureWarning(['127.0.0.1', '0.0.0.0', '0.0.0.0'], null)?.match(/0\.0\.0\.0/g)?.length, 1);
});

/** Runs `logcluster node` until it listens, stops it, and returns what it printed. */
async function runNode(t: ExecutionContext, args: string[], env: Record<string, string> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'lc-expose-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const port = await freePortRange(1);
  const child = spawn(
    process.execPath,
    [CLI_PATH, 'node', '--id', 'a', '--port', String(port), '--data-dir', join(dir, 'a'), ...args],
    {
      env: { ...process.env, NO_COLOR: '1', LOGCLUSTER_TOKEN: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  t.teardown(() => child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "listening" within ${LISTEN_DEADLINE_MS} ms: ${stderr}`)),
      LISTEN_DEADLINE_MS,
    );
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  child.kill('SIGTERM');
  await exited;
  return { stdout, stderr };
}

test('`logcluster node --host 0.0.0.0` without a token warns on stderr', async (t) => {
  if (!requireBuild(t)) return;
  const { stderr } = await runNode(t, ['--host', '0.0.0.0']);
  t.regex(stderr, /warning: listening on 0\.0\.0\.0 without a token/);
});

test('`logcluster node` does not warn on loopback, nor with a token (which it never prints)', async (t) => {
  if (!requireBuild(t)) return;
  const loopback = await runNode(t, []);
  t.notRegex(loopback.stderr, /warning/);
  const token = 'node-token-5f3a9c';
  const withToken = await runNode(t, ['--host', '0.0.0.0'], { LOGCLUSTER_TOKEN: token });
  t.notRegex(withToken.stderr, /warning/);
  t.false(`${withToken.stdout}${withToken.stderr}`.includes(token));
});

test('ClusterManager emits a LOGCLUSTER_EXPOSED process warning for a non-loopback host', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lc-expose-'));
  const warnings: Error[] = [];
  const listener = (warning: Error): void => {
    warnings.push(warning);
  };
  process.on('warning', listener);
  const cluster = new ClusterManager({
    nodes: 1,
    basePort: 0,
    host: '0.0.0.0',
    dataDir: dir,
    mode: 'in-process',
  });
  t.teardown(async () => {
    process.off('warning', listener);
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  });
  await cluster.start();
  await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
  const exposed = warnings.filter((w) => (w as Error & { code?: string }).code === EXPOSURE_WARNING_CODE);
  t.is(exposed.length, 1);
  t.regex(exposed[0].message, /0\.0\.0\.0 without a token/);
});
