/**
 * The final phase: with every fault healed and the workload stopped, wait until every node has
 * applied the same committed index, then read each node's whole log through paged
 * GET /logs?consistency=local (what that node itself holds, no quorum involved).
 */
import { LogClusterClient } from '../../lib/index.js';

/** How long the nodes get to agree after the workload stops (catch-up after a long kill). */
export const CONVERGE_TIMEOUT_MS = 60_000;
/** Poll period while waiting to converge. */
export const CONVERGE_POLL_MS = 200;
/** Rounds in a row the nodes must agree before their logs are read (a write may still apply). */
export const CONVERGE_STABLE_ROUNDS = 3;
/** Entries per page of the final read (the API's LIMIT_MAX). */
export const FINAL_PAGE_LIMIT = 1_000;
/** Per-request timeout of the final phase: no fault is in force, a node answers in ms. */
export const FINAL_REQUEST_TIMEOUT_MS = 10_000;

/** One entry of a node's final log. */
export interface FinalEntry {
  readonly index: number;
  readonly id: string;
  readonly term: number;
  readonly value: string;
  readonly checksum: string;
}

/** How the wait ended: when the nodes agreed (ms after the call) or what they said last. */
export interface Convergence {
  readonly converged: boolean;
  readonly afterMs: number;
  readonly appliedIndex: number | null;
  readonly last: Record<string, string>;
}

function clientsFor(nodes: readonly { id: string; url: string }[], token?: string) {
  return nodes.map((n) => ({
    id: n.id,
    client: new LogClusterClient({ nodes: [n.url], retries: 0, timeoutMs: FINAL_REQUEST_TIMEOUT_MS, token }),
  }));
}

/** Waits until every node is healthy, knows the same leader and has applied the same index. */
export async function waitConverged(
  nodes: readonly { id: string; url: string }[],
  token?: string,
): Promise<Convergence> {
  const started = performance.now();
  const clients = clientsFor(nodes, token);
  const last: Record<string, string> = {};
  let stable = 0;
  let previous = -1;
  try {
    while (performance.now() - started < CONVERGE_TIMEOUT_MS) {
      const replies = await Promise.all(
        clients.map(({ client }) => client.health().catch((error: unknown) => String(error))),
      );
      const applied = new Set<number>();
      const leaders = new Set<string | null>();
      let healthy = true;
      replies.forEach((reply, i) => {
        if (typeof reply === 'string') {
          healthy = false;
          last[clients[i].id] = reply;
          return;
        }
        last[clients[i].id] =
          `${reply.status} ${reply.role} term ${reply.term} leader ${reply.leader_id} commit ${reply.commit_index} applied ${reply.applied_index}`;
        if (reply.status === 'unhealthy' || reply.applied_index !== reply.commit_index) healthy = false;
        applied.add(reply.applied_index);
        leaders.add(reply.leader_id);
      });
      const [index] = applied;
      if (healthy && applied.size === 1 && leaders.size === 1 && !leaders.has(null)) {
        stable = index === previous ? stable + 1 : 1;
        previous = index;
        if (stable >= CONVERGE_STABLE_ROUNDS) {
          return {
            converged: true,
            afterMs: Math.round(performance.now() - started),
            appliedIndex: index,
            last,
          };
        }
      } else stable = 0;
      await new Promise((resolve) => setTimeout(resolve, CONVERGE_POLL_MS));
    }
    return { converged: false, afterMs: Math.round(performance.now() - started), appliedIndex: null, last };
  } finally {
    for (const { client } of clients) client.close();
  }
}

/** Every node's whole log, read locally page by page (ascending index). */
export async function readFinalLogs(
  nodes: readonly { id: string; url: string }[],
  token?: string,
): Promise<Map<string, FinalEntry[]>> {
  const clients = clientsFor(nodes, token);
  try {
    const logs = await Promise.all(clients.map(({ client }) => readWholeLog(client)));
    return new Map(clients.map(({ id }, i) => [id, logs[i]]));
  } finally {
    for (const { client } of clients) client.close();
  }
}

/** One node's whole log through paged /logs (consistency=local). */
export async function readWholeLog(client: LogClusterClient): Promise<FinalEntry[]> {
  const entries: FinalEntry[] = [];
  let after: number | undefined;
  for (;;) {
    const page = await client.query({ order: 'asc', limit: FINAL_PAGE_LIMIT, consistency: 'local', after });
    for (const r of page.entries) {
      entries.push({
        index: r.index,
        id: r.id,
        term: r.term,
        value: r.original_data.message,
        checksum: r.checksum,
      });
    }
    if (page.next_after === null) return entries;
    after = page.next_after;
  }
}
