/**
 * A real multi-host cluster: three network namespaces with their own addresses on a bridged test
 * subnet, each running exactly what a docker/docker-compose.yml container runs (`node
 * dist/cli/index.js node`, its compose environment, peers found by host name). Writes through
 * one host are read from the others; the leader's host is cut off (its link set down): the
 * majority elects a new leader and keeps accepting writes, the cut-off host refuses
 * linearizable reads with 503, and once the link is back it catches up.
 *
 * Needs root and `ip netns` (CI has both); skipped with the reason printed otherwise.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { containerCommand } from '../docker/container-spec.js';
import { requireBuild } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait.js';
import { type LabHost, labUnavailable, NetnsLab } from './netns-lab.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SERVICES = ['node1', 'node2', 'node3'];
/** Every HTTP call from the test has a deadline (a cut-off host never answers). */
const REQUEST_TIMEOUT_MS = 2000;
/** Entries written before the partition and during it. */
const WRITES = 10;

interface Health {
  /** The HTTP status (0: no answer). */
  http: number;
  role?: string;
  leader_id?: string | null;
  term?: number;
  applied_index?: number;
  commit_index?: number;
}

async function call(url: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  return { status: res.status, body: await res.json() };
}

async function health(host: LabHost): Promise<Health> {
  try {
    const { status, body } = await call(`http://${host.address}:5001/health`);
    return { ...body, http: status };
  } catch {
    return { http: 0 };
  }
}

function write(host: LabHost, message: string) {
  return call(`http://${host.address}:5001/write`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message, source: 'multihost', id: `mh-${message}` }),
  });
}

/** The leader all of `hosts` agree on (other than `except`), once they do. */
function agreedLeader(hosts: LabHost[], except?: string, timeoutMs = 15_000): Promise<string> {
  return waitFor(
    `one leader agreed by ${hosts.map((h) => h.name).join(', ')}`,
    async () => {
      const seen = await Promise.all(hosts.map(health));
      const ids = new Set(seen.map((h) => (h.http === 200 ? h.leader_id : null)));
      const [id] = ids;
      return ids.size === 1 && id && id !== except ? id : null;
    },
    timeoutMs,
    100,
  );
}

test('three hosts: replicate across them, survive a cut-off leader, catch up after it', async (t) => {
  const unavailable = await labUnavailable();
  if (unavailable) {
    t.log(`skipped: ${unavailable}`);
    t.pass();
    return;
  }
  if (!requireBuild(t)) return;
  const lab = new NetnsLab();
  const dataDir = await mkdtemp(join(tmpdir(), 'lc-multihost-'));
  const output = new Map<string, string>();
  t.teardown(async () => {
    if (!t.passed) for (const [name, text] of output) t.log(`--- ${name} ---\n${text.slice(-3000)}`);
    await lab.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  await lab.build(SERVICES);
  for (const host of lab.hosts) {
    t.deepEqual(await lab.foreignRoutes(host), [], `${host.name} has no route off the test subnet`);
  }

  // Each host runs the container's exact command and environment; the volume is a temp dir.
  const processes = new Map<string, ChildProcess>();
  for (const host of lab.hosts) {
    const { argv, env } = containerCommand(host.name);
    const child = lab.start(
      host,
      [process.execPath, ...argv.slice(1)],
      { PATH: process.env.PATH, NO_COLOR: '1', ...env, LOGCLUSTER_DATA_DIR: join(dataDir, host.name) },
      ROOT,
    );
    output.set(host.name, '');
    const append = (chunk: Buffer) => output.set(host.name, output.get(host.name) + chunk.toString());
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    processes.set(host.name, child);
  }
  const leaderId = await agreedLeader(lab.hosts);
  t.log(`leader ${leaderId} on ${lab.hosts.find((h) => h.name === leaderId)!.address}`);

  // Writes through one host (a follower forwards to the leader) are read on every other host.
  const [first, ...others] = lab.hosts;
  const written: string[] = [];
  for (let i = 0; i < WRITES; i++) {
    const reply = await write(first, `before-${i}`);
    t.is(reply.status, 200, JSON.stringify(reply.body));
    written.push(reply.body.file_path);
  }
  for (const host of others) {
    for (const path of written) {
      const read = await call(`http://${host.address}:5001/read/${path}?consistency=linearizable`);
      t.is(read.status, 200);
      t.is(read.body.data.original_data.source, 'multihost');
    }
  }

  // Cut the leader's host off.
  const cut = lab.hosts.find((h) => h.name === leaderId)!;
  const majority = lab.hosts.filter((h) => h !== cut);
  const cutAt = Date.now();
  await lab.setLink(cut, false);
  const newLeader = await agreedLeader(majority, cut.name);
  t.not(newLeader, leaderId);
  t.log(`cut off ${cut.name}: ${newLeader} leads after ${Date.now() - cutAt} ms`);
  for (let i = 0; i < WRITES; i++) {
    const reply = await write(majority[i % 2], `during-${i}`);
    t.is(reply.status, 200, `the majority accepts writes: ${JSON.stringify(reply.body)}`);
    written.push(reply.body.file_path);
  }

  // On the cut-off host itself (its link is down; ask over loopback, as a local app would).
  const local = async (path: string) => {
    const script =
      `fetch('http://127.0.0.1:5001${path}', { signal: AbortSignal.timeout(${REQUEST_TIMEOUT_MS * 3}) })` +
      '.then(async (r) => console.log(JSON.stringify({ status: r.status, body: await r.json() })))' +
      '.catch((e) => console.log(JSON.stringify({ status: 0, body: { error: String(e) } })))';
    return JSON.parse(await lab.run(cut, [process.execPath, '-e', script])) as { status: number; body: any };
  };
  const refused = await waitFor(
    'the cut-off host to refuse a linearizable read',
    async () => {
      const reply = await local(`/read/${written[0]}?consistency=linearizable`);
      return reply.status === 503 ? reply : null;
    },
    15_000,
    200,
  );
  t.regex(refused.body.code, /^(NO_LEADER|NOT_LEADER|NO_QUORUM|TIMEOUT|NOT_READY)$/);
  t.log(`cut-off host: linearizable read refused with ${refused.body.code}`);
  const stale = await local(`/read/${written[0]}?consistency=local`);
  t.is(stale.status, 200, 'its local state still answers consistency=local');
  const missing = await local(`/read/${written.at(-1)}?consistency=local`);
  t.is(missing.status, 404, 'it has not seen the entries written without it');

  // The link comes back: the host rejoins and catches up.
  const healedAt = Date.now();
  await lab.setLink(cut, true);
  const target = (await health(majority[0])).commit_index!;
  await waitFor(
    `${cut.name} to catch up to index ${target}`,
    async () => {
      const h = await health(cut);
      return h.http === 200 && h.leader_id !== cut.name && (h.applied_index ?? 0) >= target;
    },
    15_000,
    100,
  );
  t.log(`${cut.name} caught up within ${Date.now() - healedAt} ms`);
  for (const path of written) {
    const read = await call(`http://${cut.address}:5001/read/${path}?consistency=linearizable`);
    t.is(read.status, 200, `${path} readable on the healed host`);
  }
  t.is(await agreedLeader(lab.hosts), newLeader, 'one leader for all three again');
  for (const [name, child] of processes) t.is(child.exitCode, null, `${name} still runs`);
});
