import test from 'ava';
import { LogClusterError } from '../../lib/errors.js';
import { AtomicFile, HardStateFile } from '../../lib/storage/index.js';
import { SimFileSystem } from '../../lib/testing/index.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));

async function setup() {
  const fs = new SimFileSystem();
  await fs.mkdir('/d');
  return { fs, file: new AtomicFile(fs, '/d/state') };
}

test('reads undefined when absent, then what was written', async (t) => {
  const { file } = await setup();
  t.is(await file.read(), undefined);
  await file.write(bytes('one'));
  t.is(text(await file.read()), 'one');
  await file.write(bytes('two, longer'));
  t.is(text(await file.read()), 'two, longer');
  await file.write(new Uint8Array(0));
  t.deepEqual(await file.read(), new Uint8Array(0));
});

test('a completed write survives a crash; an interrupted one leaves the old contents', async (t) => {
  const { fs, file } = await setup();
  await file.write(bytes('old'));
  fs.crash({ tearLastWrite: true });
  const again = new AtomicFile(fs, '/d/state');
  t.is(text(await again.read()), 'old');
  const pending = again.write(bytes('new'));
  pending.catch(() => undefined);
  fs.crash({ tearLastWrite: true });
  t.is(text(await new AtomicFile(fs, '/d/state').read()), 'old');
});

test('writes through one instance apply in call order', async (t) => {
  const { file } = await setup();
  await Promise.all([file.write(bytes('a')), file.write(bytes('b')), file.write(bytes('c'))]);
  t.is(text(await file.read()), 'c');
});

test('a damaged or torn file is STORAGE_CORRUPT, never garbage', async (t) => {
  const { fs, file } = await setup();
  await file.write(bytes('precious state'));
  fs.corrupt('/d/state', 14);
  const e1 = await t.throwsAsync(file.read(), { instanceOf: LogClusterError });
  t.is(e1?.code, 'STORAGE_CORRUPT');
  await file.write(bytes('precious state'));
  const fd = fs.open('/d/state', 'existing');
  fs.truncate(fd, 15);
  fs.close(fd);
  const e2 = await t.throwsAsync(file.read(), { instanceOf: LogClusterError });
  t.is(e2?.code, 'STORAGE_CORRUPT');
});

test('write errors map to DISK_FULL / STORAGE_IO', async (t) => {
  const { fs, file } = await setup();
  fs.setFull(true);
  const e1 = await t.throwsAsync(file.write(bytes('x')));
  t.is((e1 as LogClusterError).code, 'DISK_FULL');
  fs.setFull(false);
  fs.failNextSyncs('EIO');
  const e2 = await t.throwsAsync(file.write(bytes('x')));
  t.is((e2 as LogClusterError).code, 'STORAGE_IO');
  await file.write(bytes('fine'));
  t.is(text(await file.read()), 'fine');
});

test('HardStateFile round-trips term, vote and commit durably', async (t) => {
  const fs = new SimFileSystem();
  const hs = new HardStateFile(fs, '/node/data');
  t.is(await hs.load(), undefined);
  await hs.save({ term: 3, vote: 'node2', commit: 17 });
  await hs.save({ term: 4, vote: null, commit: 18 });
  fs.crash();
  t.deepEqual(await new HardStateFile(fs, '/node/data').load(), { term: 4, vote: null, commit: 18 });
});

test('HardStateFile refuses invalid states and reports damaged files', async (t) => {
  const fs = new SimFileSystem();
  const hs = new HardStateFile(fs, '/n');
  const bad = await t.throwsAsync(hs.save({ term: -1, vote: null, commit: 0 }));
  t.is((bad as LogClusterError).code, 'INVALID_OPTION');
  await fs.mkdir('/n');
  await new AtomicFile(fs, '/n/hard-state').write(bytes('{"term":"x"}'));
  const e = await t.throwsAsync(hs.load());
  t.is((e as LogClusterError).code, 'STORAGE_CORRUPT');
});
