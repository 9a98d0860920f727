import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { execa } from 'execa';
import { requireBuild } from '../helpers/cli.js';
import { freePortRange } from '../helpers/free-port.js';

/** npm install from the local cache takes seconds; from the registry, longer. */
const INSTALL_TIMEOUT_MS = 120_000;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

test('npm pack, install into an empty project, npx logcluster start --detach / status / stop', async (t) => {
  if (!requireBuild(t)) return;
  const work = await mkdtemp(join(tmpdir(), 'lc-pack-'));
  const dataDir = join(work, 'app', 'data');
  const app = join(work, 'app');
  const npx = (args: string[]) =>
    execa('npx', ['--no-install', 'logcluster', ...args, '--data-dir', dataDir], {
      cwd: app,
      reject: false,
      timeout: 30_000,
      env: { NO_COLOR: '1' },
    });
  t.teardown(async () => {
    await npx(['stop']);
    await rm(work, { recursive: true, force: true });
  });
  // The tarball of the current build (prepack's build is skipped: the test suite builds first).
  const packed = await execa('npm', ['pack', '--ignore-scripts', '--pack-destination', work, '--json'], {
    cwd: ROOT,
  });
  const tarball = join(work, (JSON.parse(String(packed.stdout)) as { filename: string }[])[0].filename);
  await execa('mkdir', ['-p', app]);
  await writeFile(
    join(app, 'package.json'),
    JSON.stringify({ name: 'ci-app', private: true, type: 'module' }),
  );
  const installed = await execa('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], {
    cwd: app,
    timeout: INSTALL_TIMEOUT_MS,
    reject: false,
  });
  t.is(installed.exitCode, 0, String(installed.stderr));

  const base = await freePortRange(3);
  const started = await npx(['start', '--detach', '--base-port', String(base)]);
  t.is(started.exitCode, 0, String(started.stderr));
  t.regex(String(started.stdout), /leader: node\d/);
  const status = await npx(['status', '--json']);
  t.is((JSON.parse(String(status.stdout)) as { nodes: unknown[] }).nodes.length, 3);
  const wrote = await npx(['write', 'from a packed install']);
  t.is(wrote.exitCode, 0, String(wrote.stderr));
  const stopped = await npx(['stop']);
  t.is(stopped.exitCode, 0, String(stopped.stderr));
  t.is((await npx(['status'])).exitCode, 3, 'nothing runs after stop');
});
