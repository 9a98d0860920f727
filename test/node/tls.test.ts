import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { LogClusterClient, StorageNode } from '../../lib/index.js';
import { freePortRange } from '../helpers/free-port.js';
import { waitFor } from '../helpers/wait.js';

/** A self-signed certificate for 127.0.0.1, made with openssl (skipped without it). */
function selfSigned(dir: string): { certFile: string; keyFile: string } | null {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        keyFile,
        '-out',
        certFile,
      ],
      { stdio: 'ignore', timeout: 30_000 },
    );
    return { certFile, keyFile };
  } catch {
    return null;
  }
}

test('TLS: clients and peers talk HTTPS on one port; plain HTTP and untrusted clients are refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lc-tls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const files = selfSigned(dir);
  if (files === null) {
    t.log('skipped: openssl is not available');
    t.pass();
    return;
  }
  const tls = { ...files, caFile: files.certFile };
  const base = await freePortRange(3);
  const ids = ['node1', 'node2', 'node3'];
  const url = (i: number) => `https://127.0.0.1:${base + i}`;
  const nodes = ids.map(
    (id, i) =>
      new StorageNode({
        id,
        port: base + i,
        dataDir: join(dir, id),
        tls,
        tickIntervalMs: 25,
        electionTimeoutMs: 250,
        peers: Object.fromEntries(ids.flatMap((p, j) => (p === id ? [] : [[p, url(j)]]))),
      }),
  );
  await Promise.all(nodes.map((n) => n.start()));
  t.teardown(() => Promise.all(nodes.map((n) => n.stop())));
  t.is(nodes[0].url, url(0));
  await waitFor('a leader over TLS peers', () => nodes.some((n) => n.status().role === 'leader'));

  const ca = readFileSync(files.certFile, 'utf8');
  const client = new LogClusterClient({ nodes: ids.map((_, i) => url(i)), ca });
  t.teardown(() => client.close());
  const written = await client.write({ message: 'over tls', source: 'tls-test' });
  const read = await new LogClusterClient({ nodes: [url(2)], ca }).read(written.file_path);
  t.is(read.original_data.message, 'over tls');

  // Plain HTTP to a TLS port gets no API answer.
  await t.throwsAsync(fetch(`http://127.0.0.1:${base}/health`));
  // A client that does not trust the cluster's CA cannot connect.
  const untrusting = new LogClusterClient({ nodes: [url(0)], retries: 0 });
  t.teardown(() => untrusting.close());
  const error = await t.throwsAsync(untrusting.read(written.file_path));
  t.is((error as { code?: string }).code, 'UNAVAILABLE');
});
