/**
 * In-process clusters of real StorageNodes (real files, real fsync, real sockets) for tests.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StorageNode, type StorageNodeOptions } from '../../lib/index.js';
import { freePortRange } from './free-port.js';
import { waitFor } from './wait.js';

/** A running in-process cluster. */
export interface TestCluster {
  readonly dir: string;
  readonly ids: string[];
  readonly urls: Record<string, string>;
  readonly nodes: Map<string, StorageNode>;
  /** The node id that every running node agrees leads. */
  leader(timeoutMs?: number): Promise<string>;
  /** Stops node `id` (as a crash would leave its files: already fsynced). */
  stopNode(id: string): Promise<void>;
  /** Starts node `id` again from its data directory. */
  startNode(id: string): Promise<StorageNode>;
  /** Stops every node and removes the data. */
  close(): Promise<void>;
}

/** Starts `count` nodes on consecutive free ports; resolves once they agree on a leader. */
export async function startCluster(count = 3, extra: Partial<StorageNodeOptions> = {}): Promise<TestCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'lc-cluster-'));
  const basePort = await freePortRange(count);
  const ids = Array.from({ length: count }, (_, i) => `node${i + 1}`);
  const urls = Object.fromEntries(ids.map((id, i) => [id, `http://127.0.0.1:${basePort + i}`]));
  const nodes = new Map<string, StorageNode>();
  const make = (id: string) =>
    new StorageNode({
      id,
      port: basePort + ids.indexOf(id),
      dataDir: join(dir, id),
      peers: Object.fromEntries(ids.filter((p) => p !== id).map((p) => [p, urls[p]])),
      tickIntervalMs: 25,
      electionTimeoutMs: 250,
      ...extra,
    });
  const startNode = async (id: string) => {
    const node = make(id);
    await node.start();
    nodes.set(id, node);
    return node;
  };
  await Promise.all(ids.map(startNode));
  const cluster: TestCluster = {
    dir,
    ids,
    urls,
    nodes,
    leader: (timeoutMs = 10_000) =>
      waitFor(
        'one agreed leader',
        () => {
          const running = [...nodes.values()];
          const leaders = new Set(running.map((n) => n.status().leaderId));
          const [leader] = leaders;
          return leaders.size === 1 && leader && nodes.get(leader)?.status().role === 'leader'
            ? leader
            : null;
        },
        timeoutMs,
      ),
    stopNode: async (id) => {
      await nodes.get(id)?.stop();
      nodes.delete(id);
    },
    startNode,
    close: async () => {
      await Promise.all([...nodes.values()].map((n) => n.stop()));
      await rm(dir, { recursive: true, force: true });
    },
  };
  await cluster.leader();
  return cluster;
}

/** POST a JSON body; returns status and parsed body. */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** GET and parse JSON. */
export async function getJson(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}
