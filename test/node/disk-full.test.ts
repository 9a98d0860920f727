import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { StorageNode } from '../../lib/index.js';
import { freePortRange } from '../helpers/free-port.js';
import { getJson, postJson } from '../helpers/node-cluster.js';
import { waitFor } from '../helpers/wait.js';

/** A real full disk: a small tmpfs as the data dir (needs root and mount; skipped otherwise). */
function mountTmpfs(sizeBytes: number): string | null {
  if (process.getuid?.() !== 0) return null;
  const dir = mkdtempSync(join(tmpdir(), 'lc-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
}

test('a full disk fails writes with 507 DISK_FULL, keeps serving reads, and writing resumes when space returns', async (t) => {
  const dir = mountTmpfs(16 * 1024 * 1024);
  if (dir === null) {
    t.log('skipped: needs root and mount -t tmpfs for a real full disk');
    t.pass();
    return;
  }
  t.teardown(() => {
    execFileSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  const port = await freePortRange(1);
  const node = new StorageNode({ id: 'solo', port, dataDir: join(dir, 'solo'), tickIntervalMs: 25 });
  await node.start();
  t.teardown(() => node.stop());
  const url = `http://127.0.0.1:${port}`;
  await waitFor('leadership', () => node.status().role === 'leader');
  const before = await postJson(`${url}/write`, { message: 'before the disk filled', id: 'before-full' });
  t.is(before.status, 200);

  // Fill the file system to the last byte.
  const filler = join(dir, 'filler');
  try {
    execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=64k'], { stdio: 'ignore' });
  } catch {
    // dd ends with ENOSPC by design
  }
  const big = { message: 'x'.repeat(60_000) };
  const full = await waitFor('a 507', async () => {
    const reply = await postJson(
      `${url}/write`,
      Array.from({ length: 20 }, () => big),
    );
    return reply.status === 507 ? reply : null;
  });
  t.is(full.body.code, 'DISK_FULL');
  const health = await getJson(`${url}/health`);
  t.is(health.status, 503);
  t.is(health.body.code, 'DISK_FULL');
  const again = await postJson(`${url}/write`, { message: 'still full' });
  t.is(again.status, 507);
  const read = await getJson(`${url}/read/before-full?consistency=local`);
  t.is(read.status, 200, 'reads keep working');

  writeFileSync(filler, ''); // space returns
  const resumed = await waitFor(
    'writes to resume',
    async () => {
      const reply = await postJson(`${url}/write`, { message: 'after space returned', id: 'after-full' });
      return reply.status === 200 ? reply : null;
    },
    15_000,
  );
  t.true(resumed.body.index > before.body.index);
  t.is((await getJson(`${url}/read/before-full`)).status, 200);
  t.is((await getJson(`${url}/health`)).status, 200);
});
