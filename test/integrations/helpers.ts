/**
 * Shared by the integration tests: a real 3-node in-process cluster (optionally with node1's
 * syslog listener), reading every entry back through GET /logs, running a fixture app in its
 * own process, and checking that the built package (dist/) the `logcluster/pino|winston`
 * exports resolve to is there.
 */
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';
import { StorageNode, type StorageNodeOptions } from '../../lib/index.js';
import { freePortRange } from '../helpers/free-port.js';
import { waitFor } from '../helpers/wait.js';

/** A running cluster. */
export interface Cluster {
  readonly urls: Record<string, string>;
  readonly nodes: Map<string, StorageNode>;
  /** node1's syslog port (TCP and UDP), when asked for. */
  readonly syslogPort: number | null;
  leader(): Promise<string>;
  /** A running node's URL other than `except`. */
  anyUrl(except?: string): string;
  stopNode(id: string): Promise<void>;
  close(): Promise<void>;
}

/** Three real nodes (files, fsync, sockets); resolves once they agree on a leader. */
export async function startNodes(options: { syslog?: boolean; token?: string } = {}): Promise<Cluster> {
  const dir = await mkdtemp(join(tmpdir(), 'lc-integrations-'));
  const base = await freePortRange(options.syslog ? 4 : 3);
  const ids = ['node1', 'node2', 'node3'];
  const urls = Object.fromEntries(ids.map((id, i) => [id, `http://127.0.0.1:${base + i}`]));
  const syslogPort = options.syslog ? base + 3 : null;
  const nodes = new Map<string, StorageNode>();
  await Promise.all(
    ids.map(async (id, i) => {
      const extra: Partial<StorageNodeOptions> = {};
      if (id === 'node1' && syslogPort !== null) Object.assign(extra, { syslogPort });
      if (options.token) Object.assign(extra, { token: options.token });
      const node = new StorageNode({
        id,
        port: base + i,
        dataDir: join(dir, id),
        peers: Object.fromEntries(ids.filter((p) => p !== id).map((p) => [p, urls[p]])),
        tickIntervalMs: 25,
        electionTimeoutMs: 250,
        ...extra,
      });
      await node.start();
      nodes.set(id, node);
    }),
  );
  const cluster: Cluster = {
    urls,
    nodes,
    syslogPort,
    leader: () =>
      waitFor('one agreed leader', () => {
        const leaders = new Set([...nodes.values()].map((n) => n.status().leaderId));
        const [leader] = leaders;
        return leaders.size === 1 && leader && nodes.get(leader)?.status().role === 'leader' ? leader : null;
      }),
    anyUrl: (except) => urls[[...nodes.keys()].find((id) => id !== except) ?? 'node1'],
    stopNode: async (id) => {
      await nodes.get(id)?.stop();
      nodes.delete(id);
    },
    close: async () => {
      await Promise.all([...nodes.values()].map((n) => n.stop()));
      await rm(dir, { recursive: true, force: true });
    },
  };
  await cluster.leader();
  return cluster;
}

/** Every entry matching `query` (a /logs query string without limit/order/after), oldest first. */
export async function readAll(url: string, query = '', headers: Record<string, string> = {}): Promise<any[]> {
  const entries: any[] = [];
  let after = 0;
  for (;;) {
    const res = await fetch(`${url}/logs?order=asc&limit=1000&after=${after}${query ? `&${query}` : ''}`, {
      headers,
    });
    const body = (await res.json()) as { entries: any[]; next_after: number | null; error?: string };
    if (!res.ok) throw new Error(`GET /logs: ${res.status} ${body.error}`);
    entries.push(...body.entries);
    if (body.next_after === null) return entries;
    after = body.next_after;
  }
}

/** Waits until /logs holds at least `count` entries for `query`; returns them all. */
export function waitForEntries(
  url: string | (() => string),
  query: string,
  count: number,
  timeoutMs = 15_000,
) {
  return waitFor(
    `${count} entries for ${query}`,
    async () => {
      const entries = await readAll(typeof url === 'string' ? url : url(), query);
      return entries.length >= count ? entries : null;
    },
    timeoutMs,
    50,
  );
}

/** The fixture script's path. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/** Runs a fixture app (plain ESM, importing the built package) to its end; resolves with its exit code and output. */
export function runApp(
  name: string,
  args: readonly string[],
  timeoutMs = 30_000,
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fixture(name), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not exit within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

const DIST_SOURCES: Array<[string, string]> = [
  ['dist/lib/integrations/pino/index.js', 'lib/integrations/pino/index.ts'],
  ['dist/lib/integrations/pino/map.js', 'lib/integrations/pino/map.ts'],
  ['dist/lib/integrations/winston/index.js', 'lib/integrations/winston/index.ts'],
  ['dist/lib/integrations/winston/map.js', 'lib/integrations/winston/map.ts'],
  ['dist/lib/integrations/shipping/shipper.js', 'lib/integrations/shipping/shipper.ts'],
  ['dist/lib/integrations/shipping/exit-flush.js', 'lib/integrations/shipping/exit-flush.ts'],
];

/**
 * The package's `./pino` and `./winston` exports resolve to dist/ (pino.transport's worker needs
 * JavaScript): fails with the fix when dist is missing or older than the transport sources.
 */
export function requireDist(t: ExecutionContext): boolean {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  for (const [built, source] of DIST_SOURCES) {
    const builtPath = join(root, built);
    if (!existsSync(builtPath) || statSync(builtPath).mtimeMs < statSync(join(root, source)).mtimeMs) {
      t.fail(`${built} is missing or older than ${source}: run "npm run build" first`);
      return false;
    }
  }
  return true;
}
