/**
 * How the manager talks to its nodes, all through LogClusterClient: one client over every node
 * (writes go to the leader), one client per node for health probes (short timeout, no retries),
 * and one client per rotation of the node list so reads start on a chosen healthy node and fail
 * over to the next.
 */
import { LogClusterClient } from '../client/index.js';
import { isLogClusterError } from '../errors.js';
import type { ResolvedClusterConfig } from './config.js';
import { HEALTH_TIMEOUT_MS, type HealthReply, type ProbeResult } from './health-monitor.js';

/** The manager's clients. */
export interface ClusterAccess {
  /** Over every node, leader first once known. */
  readonly client: LogClusterClient;
  /** One /health probe of node `id`. Never rejects. */
  probe(id: string): Promise<ProbeResult>;
  /** A client that starts at the next of `healthyIds` in turn (all nodes when none is healthy). */
  spread(healthyIds: readonly string[]): LogClusterClient;
  close(): void;
}

/** Builds the clients for a configuration (token from the config). */
export function createClusterAccess(config: ResolvedClusterConfig): ClusterAccess {
  const urls = config.nodes.map((n) => n.url);
  const token = config.token ?? undefined;
  const client = new LogClusterClient({ nodes: urls, token });
  const probes = new Map(
    config.nodes.map((n) => [
      n.id,
      new LogClusterClient({ nodes: [n.url], token, timeoutMs: HEALTH_TIMEOUT_MS, retries: 0 }),
    ]),
  );
  const rotations = new Map(
    config.nodes.map((n, i) => [
      n.id,
      new LogClusterClient({ nodes: [...urls.slice(i), ...urls.slice(0, i)], token }),
    ]),
  );
  let turn = 0;
  return {
    client,
    probe: (id) => probeHealth(probes.get(id)!),
    spread: (healthyIds) => {
      if (healthyIds.length === 0) return client;
      turn = (turn + 1) % healthyIds.length;
      return rotations.get(healthyIds[turn]) ?? client;
    },
    close: () => {
      for (const each of [client, ...probes.values(), ...rotations.values()]) each.close();
    },
  };
}

/**
 * One health probe through a single-node client (retries 0): the node's report, 200 or 503
 * alike, or why there was none (TIMEOUT: paused or hung; anything else: unreachable).
 */
export async function probeHealth(client: LogClusterClient): Promise<ProbeResult> {
  try {
    const reply: HealthReply = await client.health();
    return { ok: true, reply };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    const timeout = isLogClusterError(error) && error.code === 'TIMEOUT';
    return { ok: false, reason: timeout ? 'timeout' : 'unreachable', detail };
  }
}

/** Options of probeNodes. */
export interface ProbeNodesOptions {
  readonly token?: string;
  /** Default HEALTH_TIMEOUT_MS. */
  readonly timeoutMs?: number;
}

/** One /health probe of each URL, in order (for status tools that hold no ClusterManager). */
export async function probeNodes(
  urls: readonly string[],
  options: ProbeNodesOptions = {},
): Promise<ProbeResult[]> {
  const clients = urls.map(
    (url) =>
      new LogClusterClient({
        nodes: [url],
        token: options.token,
        timeoutMs: options.timeoutMs ?? HEALTH_TIMEOUT_MS,
        retries: 0,
      }),
  );
  try {
    return await Promise.all(clients.map((c) => probeHealth(c)));
  } finally {
    for (const c of clients) c.close();
  }
}
