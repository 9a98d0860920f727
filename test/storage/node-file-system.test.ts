import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { NodeFileSystem } from '../../lib/storage/index.js';

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'logcluster-nfs-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('open modes, positional read/write, truncate, size and the async flushes', async (t) => {
  const dir = tempDir(t);
  const nfs = new NodeFileSystem();
  const file = path.join(dir, 'f');
  t.throws(() => nfs.open(file, 'existing'), { code: 'ENOENT' });
  const fd = nfs.open(file, 'create');
  nfs.write(fd, Buffer.from('hello world'), 0, 11, 0);
  nfs.write(fd, Buffer.from('W'), 0, 1, 6);
  t.is(nfs.size(fd), 11);
  const buf = Buffer.alloc(11);
  t.is(nfs.read(fd, buf, 0, 11, 0), 11);
  t.is(buf.toString(), 'hello World');
  nfs.truncate(fd, 5);
  await nfs.datasync(fd);
  await nfs.fsync(fd);
  nfs.close(fd);
  t.is(fs.readFileSync(file, 'utf8'), 'hello');
  const again = nfs.open(file, 'replace');
  t.is(nfs.size(again), 0);
  nfs.close(again);
});

test('directory operations: mkdir with parents, readdir, rename, unlink, exists, syncDir', async (t) => {
  const dir = tempDir(t);
  const nfs = new NodeFileSystem();
  const deep = path.join(dir, 'a', 'b', 'c');
  await nfs.mkdir(deep);
  await nfs.mkdir(deep);
  t.true(nfs.exists(deep));
  const fd = nfs.open(path.join(deep, 'x'), 'create');
  nfs.close(fd);
  nfs.rename(path.join(deep, 'x'), path.join(deep, 'y'));
  t.deepEqual(nfs.readdir(deep), ['y']);
  await nfs.syncDir(deep);
  nfs.unlink(path.join(deep, 'y'));
  t.false(nfs.exists(path.join(deep, 'y')));
  await t.throwsAsync(nfs.syncDir(path.join(dir, 'missing')), { code: 'ENOENT' });
});

test('preallocate extends a file with written zeros, keeping what is there', async (t) => {
  const dir = tempDir(t);
  const nfs = new NodeFileSystem();
  const file = path.join(dir, 'spare');
  const fd = nfs.open(file, 'create');
  nfs.write(fd, Buffer.from('head'), 0, 4, 0);
  await nfs.preallocate(fd, 3 * 1024 * 1024 + 5);
  t.is(nfs.size(fd), 3 * 1024 * 1024 + 5);
  nfs.close(fd);
  const bytes = fs.readFileSync(file);
  t.is(bytes.subarray(0, 4).toString(), 'head');
  t.true(bytes.subarray(4).every((b) => b === 0));
  // Written zeros, not a hole: the blocks are allocated.
  t.true(fs.statSync(file).blocks * 512 >= bytes.length);
});
