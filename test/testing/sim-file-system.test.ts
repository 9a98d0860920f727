import test from 'ava';
import { Prng, SimFileSystem } from '../../lib/testing/index.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));

async function withFile(fs: SimFileSystem, file = '/d/f') {
  await fs.mkdir('/d');
  const fd = fs.open(file, 'create');
  await fs.syncDir('/d');
  return fd;
}

test('reads what was written; sizes, truncation and positional writes behave like a file', async (t) => {
  const fs = new SimFileSystem();
  const fd = await withFile(fs);
  fs.write(fd, bytes('hello world'), 0, 11, 0);
  fs.write(fd, bytes('W'), 0, 1, 6);
  t.is(fs.size(fd), 11);
  const buf = new Uint8Array(20);
  t.is(fs.read(fd, buf, 0, 20, 0), 11);
  t.is(text(buf.subarray(0, 11)), 'hello World');
  t.is(fs.read(fd, buf, 0, 5, 11), 0);
  fs.truncate(fd, 5);
  t.is(text(fs.fileBytes('/d/f')), 'hello');
  fs.write(fd, bytes('!'), 0, 1, 7);
  t.deepEqual([...fs.fileBytes('/d/f')!], [...bytes('hello'), 0, 0, 33]);
});

test('a crash loses unsynced data and keeps synced data', async (t) => {
  const fs = new SimFileSystem();
  const fd = await withFile(fs);
  fs.write(fd, bytes('durable'), 0, 7, 0);
  await fs.datasync(fd);
  fs.write(fd, bytes(' lost'), 0, 5, 7);
  fs.crash();
  t.is(text(fs.fileBytes('/d/f')), 'durable');
  t.throws(() => fs.write(fd, bytes('x'), 0, 1, 0), { message: /EBADF/ }, 'handles die with the crash');
});

test('a sync covers only what was written before it was called', async (t) => {
  const fs = new SimFileSystem();
  const fd = await withFile(fs);
  fs.write(fd, bytes('first'), 0, 5, 0);
  const sync = fs.datasync(fd);
  fs.write(fd, bytes('second'), 0, 6, 5);
  await sync;
  fs.crash();
  t.is(text(fs.fileBytes('/d/f')), 'first');
});

test('a torn crash keeps a prefix of the unsynced writes, chosen by the seed', async (t) => {
  const outcomes = new Set<string>();
  for (let seed = 0; seed < 40; seed++) {
    const fs = new SimFileSystem({ prng: new Prng(seed) });
    const fd = await withFile(fs);
    fs.write(fd, bytes('abc'), 0, 3, 0);
    await fs.datasync(fd);
    fs.write(fd, bytes('defgh'), 0, 5, 3);
    fs.write(fd, bytes('ijk'), 0, 3, 8);
    fs.crash({ tearLastWrite: true });
    const got = text(fs.fileBytes('/d/f'))!;
    t.true('abcdefghijk'.startsWith(got) && got.startsWith('abc'), got);
    outcomes.add(got);
  }
  t.true(outcomes.size > 4, `several tear points: ${[...outcomes].join(' ')}`);
  const replay = async (seed: number) => {
    const fs = new SimFileSystem({ prng: new Prng(seed) });
    const fd = await withFile(fs);
    fs.write(fd, bytes('0123456789'), 0, 10, 0);
    fs.crash({ tearLastWrite: true });
    return text(fs.fileBytes('/d/f'));
  };
  t.is(await replay(7), await replay(7), 'same seed, same tear');
});

test('directory entries need syncDir: create, rename and unlink are undone by a crash', async (t) => {
  const fs = new SimFileSystem();
  await fs.mkdir('/d');
  const a = fs.open('/d/a', 'create');
  fs.write(a, bytes('A'), 0, 1, 0);
  await fs.datasync(a);
  fs.crash();
  t.false(fs.exists('/d/a'), 'created but the directory was never synced');

  const b = fs.open('/d/b', 'create');
  fs.write(b, bytes('B'), 0, 1, 0);
  await fs.fsync(b);
  await fs.syncDir('/d');
  fs.rename('/d/b', '/d/c');
  const x = fs.open('/d/x', 'create');
  fs.close(x);
  fs.crash();
  t.deepEqual(fs.readdir('/d').sort(), ['b'], 'rename and create undone');
  fs.unlink('/d/b');
  t.false(fs.exists('/d/b'));
  fs.crash();
  t.is(text(fs.fileBytes('/d/b')), 'B', 'unlink undone');
  fs.rename('/d/b', '/d/c');
  await fs.syncDir('/d');
  fs.crash();
  t.deepEqual(fs.readdir('/d'), ['c']);
  t.is(text(fs.fileBytes('/d/c')), 'B');
});

test('mkdir is durable and creates parents; errors carry errno codes', async (t) => {
  const fs = new SimFileSystem();
  await fs.mkdir('/a/b/c');
  fs.crash();
  t.true(fs.exists('/a/b/c'));
  t.throws(() => fs.open('/a/missing', 'existing'), { message: /ENOENT/ });
  t.throws(() => fs.open('/nope/f', 'create'), { message: /ENOENT/ });
  t.throws(() => fs.readdir('/zzz'), { message: /ENOENT/ });
  t.throws(() => fs.unlink('/a/b/c'), { message: /EISDIR/ });
  const e = t.throws(() => fs.open('/a/missing', 'existing'));
  t.is((e as Error & { code?: string }).code, 'ENOENT');
});

test('fault injection: ENOSPC while full, counted write and sync failures', async (t) => {
  const fs = new SimFileSystem();
  const fd = await withFile(fs);
  fs.setFull(true);
  t.throws(() => fs.write(fd, bytes('x'), 0, 1, 0), { message: /ENOSPC/ });
  t.throws(() => fs.open('/d/new', 'create'), { message: /ENOSPC/ });
  fs.setFull(false);
  fs.failNextWrites('EIO', 2);
  t.throws(() => fs.write(fd, bytes('x'), 0, 1, 0), { message: /EIO/ });
  t.throws(() => fs.write(fd, bytes('x'), 0, 1, 0), { message: /EIO/ });
  fs.write(fd, bytes('ok'), 0, 2, 0);
  fs.failNextSyncs('EIO');
  await t.throwsAsync(fs.datasync(fd), { message: /EIO/ });
  fs.crash();
  t.is(fs.fileBytes('/d/f')!.length, 0, 'a failed sync made nothing durable');
});

test('corrupt flips a byte in the current and durable contents', async (t) => {
  const fs = new SimFileSystem();
  const fd = await withFile(fs);
  fs.write(fd, new Uint8Array([1, 2, 3]), 0, 3, 0);
  await fs.datasync(fd);
  fs.corrupt('/d/f', 1);
  t.deepEqual([...fs.fileBytes('/d/f')!], [1, 0xfd, 3]);
  fs.crash();
  t.deepEqual([...fs.fileBytes('/d/f')!], [1, 0xfd, 3]);
});

test('async operations settle through microtasks only, deterministically', async (t) => {
  const order = async (seed: number) => {
    const fs = new SimFileSystem({ prng: new Prng(seed) });
    const fd = await withFile(fs);
    const seen: string[] = [];
    await Promise.all([
      fs.datasync(fd).then(() => seen.push('a')),
      fs.syncDir('/d').then(() => seen.push('b')),
      fs.fsync(fd).then(() => seen.push('c')),
    ]);
    return seen.join('');
  };
  t.is(await order(3), await order(3));
  const fs = new SimFileSystem();
  const fd = await withFile(fs);
  let done = false;
  void fs.datasync(fd).then(() => {
    done = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  t.true(done, 'settled before any macrotask');
});

test('attach: a crashed process can no longer touch the disk', async (t) => {
  const sim = new SimFileSystem();
  const before = sim.attach();
  await before.mkdir('/d');
  sim.crash();
  t.throws(() => before.open('/d/x', 'create'), { message: /crashed process/ });
  await t.throwsAsync(before.syncDir('/d'), { message: /crashed process/ });
  const after = sim.attach();
  const fd = after.open('/d/x', 'create');
  after.close(fd);
  t.true(sim.exists('/d/x'));
});

test('counters count writes, data syncs and directory syncs', async (t) => {
  const fs = new SimFileSystem();
  const fd = await withFile(fs);
  fs.write(fd, bytes('a'), 0, 1, 0);
  await fs.datasync(fd);
  t.is(fs.counters.writes, 1);
  t.is(fs.counters.datasyncs, 1);
  t.is(fs.counters.dirSyncs, 1);
});
