import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { SYSLOG_FRAME_BYTES_MAX } from '../../lib/integrations/limits.js';
import { waitFor } from '../helpers/wait.js';
import { type Cluster, readAll, startNodes, waitForEntries } from './helpers.js';

// The syslog listener of a real node (node1's syslogPort), fed by Debian's rsyslogd forwarding
// in three ways (RFC 5424 over TCP with octet counting, RFC 3164 over TCP with newline framing,
// RFC 5424 over UDP), and by raw sockets sending garbage.
let cluster: Cluster;
test.before(async () => {
  cluster = await startNodes({ syslog: true });
});
test.after.always(async () => {
  await cluster?.close();
});

const RSYSLOGD = ['/usr/sbin/rsyslogd', '/sbin/rsyslogd'].find((path) => existsSync(path));

function config(dir: string, port: number): string {
  const forward = (name: string, protocol: string, extra: string, template: string) => `
ruleset(name="${name}") {
  action(type="omfwd" target="127.0.0.1" port="${port}" protocol="${protocol}" ${extra} template="${template}")
}
input(type="imuxsock" Socket="${join(dir, `${name}.sock`)}" Ruleset="${name}" CreatePath="on")`;
  return `global(workDirectory="${dir}")
module(load="imuxsock" SysSock.Use="off")
${forward('tcp5424', 'tcp', 'TCP_Framing="octet-counted"', 'RSYSLOG_SyslogProtocol23Format')}
${forward('tcp3164', 'tcp', '', 'RSYSLOG_TraditionalForwardFormat')}
${forward('udp5424', 'udp', '', 'RSYSLOG_SyslogProtocol23Format')}
`;
}

test.serial(
  'rsyslogd forwards over TCP (octet-counted and newline) and UDP; entries are mapped',
  async (t) => {
    if (RSYSLOGD === undefined) {
      if (process.env.CI) t.fail('rsyslogd is not installed (.ci/run installs it)');
      else t.pass('rsyslogd is not installed here: skipped (apt-get install rsyslog)');
      return;
    }
    const dir = await mkdtemp(join(tmpdir(), 'lc-rsyslog-'));
    await writeFile(join(dir, 'rsyslog.conf'), config(dir, cluster.syslogPort!));
    const rsyslog = spawn(
      RSYSLOGD,
      ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'rsyslogd.pid')],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    rsyslog.stdout.on('data', (chunk) => (output += chunk));
    rsyslog.stderr.on('data', (chunk) => (output += chunk));
    try {
      const ways = ['tcp5424', 'tcp3164', 'udp5424'];
      await waitFor(`rsyslogd's sockets (${output})`, () =>
        ways.every((way) => existsSync(join(dir, `${way}.sock`))),
      );
      const run = randomUUID().slice(0, 8);
      for (const way of ways) {
        for (let seq = 0; seq < 5; seq++) {
          const sent = spawnSync('logger', [
            '-u',
            join(dir, `${way}.sock`),
            '-t',
            'billing',
            '-i',
            '-p',
            'local3.warning',
            `run-${run} ${way} seq=${seq}`,
          ]);
          t.is(sent.status, 0, String(sent.stderr));
        }
      }
      const entries = await waitForEntries(cluster.urls.node2, `contains=run-${run}`, 15);
      t.is(entries.length, 15);
      for (const way of ways) {
        const mine = entries.filter((e) => e.original_data.message.includes(` ${way} `));
        t.is(mine.length, 5, way);
        const data = mine[0].original_data;
        t.is(data.level, 'warn', way);
        t.is(data.source, 'billing', way);
        t.is(data.labels.facility, 'local3', way);
        t.is(data.labels.severity, 'warning', way);
        t.truthy(data.labels.hostname, way);
        t.regex(data.labels.procid ?? '', /^\d+$/, way);
        t.is(data.syslog_format, way === 'tcp3164' ? 'rfc3164' : 'rfc5424', way);
        // rsyslog's %msg% keeps the space that followed the tag: stored as sent.
        t.regex(data.message, new RegExp(`^ ?run-${run} ${way} seq=0$`), way);
        t.true(Math.abs(Date.parse(mine[0].timestamp) - Date.now()) < 60_000, "the sender's timestamp");
      }
    } finally {
      rsyslog.kill('SIGTERM');
      await new Promise((resolve) => rsyslog.once('exit', resolve));
      await rm(dir, { recursive: true, force: true });
    }
  },
);

async function lastIndex(): Promise<number> {
  const res = await fetch(`${cluster.urls.node1}/logs?order=desc&limit=1`);
  const body = (await res.json()) as { entries: Array<{ index: number }> };
  return body.entries[0]?.index ?? 0;
}

/** Sends `data`; 'closed-by-server' when the server hangs up within `waitMs`, else 'sent'. */
function sendTcp(data: string | Buffer, waitMs = 200): Promise<'closed-by-server' | 'sent'> {
  return new Promise((resolve, reject) => {
    const socket = connect(cluster.syslogPort!, '127.0.0.1', () => {
      socket.write(data);
      setTimeout(() => {
        if (!socket.destroyed) {
          socket.end();
          resolve('sent');
        }
      }, waitMs);
    });
    socket.on('close', () => resolve('closed-by-server'));
    socket.on('error', reject);
  });
}

test.serial('garbage and bombs store nothing; a bad octet count closes the connection', async (t) => {
  const before = await lastIndex();
  t.is(await sendTcp('this is not syslog\n<999>1 - - - - - - bad pri\n'), 'sent');
  // A close is awaited with a generous deadline: on a loaded machine it can take a while.
  t.is(await sendTcp(`${SYSLOG_FRAME_BYTES_MAX * 10} <13>1 - - - - - - too long`, 5_000), 'closed-by-server');
  t.is(await sendTcp('12x <13>1 - - - - - - bad count', 5_000), 'closed-by-server');
  const udp = createSocket('udp4');
  await new Promise<void>((resolve) =>
    udp.send('no pri at all', cluster.syslogPort!, '127.0.0.1', () => resolve()),
  );
  // An overlong line is skipped up to its newline; the next line still counts.
  const sentinel = `sentinel-${randomUUID()}`;
  await sendTcp(
    `<14>${'x'.repeat(SYSLOG_FRAME_BYTES_MAX + 10)}\n<14>Oct 11 22:14:15 host app: ${sentinel}\n`,
  );
  await new Promise<void>((resolve) =>
    udp.send(`<14>1 - h app - - - ${sentinel}-udp`, cluster.syslogPort!, '127.0.0.1', () => resolve()),
  );
  udp.close();
  const stored = await waitForEntries(cluster.urls.node1, `contains=${sentinel}`, 2);
  t.deepEqual(stored.map((e) => e.original_data.message).sort(), [sentinel, `${sentinel}-udp`]);
  t.is(await lastIndex(), before + 2, 'only the two valid messages were stored');
  t.is((await readAll(cluster.urls.node1, 'source=app')).length, 2);
});
