/**
 * The node table of `status` and `start`: one row per node from /health answers plus what the
 * state file knows (pid, process state, voter or learner).
 */
import type { ChalkInstance } from 'chalk';
import type { ClusterStatus, DetachedCluster, HealthReply, ProbeResult } from '../lib/index.js';
import { probeNodes } from '../lib/index.js';
import { role, table } from './format.js';

/** One node as `status --json` prints it. */
export interface NodeRow {
  readonly id: string;
  readonly url: string;
  readonly role: string | null;
  readonly term: number | null;
  readonly leader_id: string | null;
  readonly commit_index: number | null;
  readonly applied_index: number | null;
  readonly health: string;
  readonly voter: boolean | null;
  readonly pid: number | null;
  readonly process: string | null;
}

/** The cluster as `status --json` prints it. */
export interface ClusterRows {
  readonly leader: string | null;
  readonly term: number;
  readonly nodes: readonly NodeRow[];
}

function row(id: string, url: string, probe: ProbeResult, extra: Partial<NodeRow>): NodeRow {
  const reply: (HealthReply & { node_id?: string }) | null = probe.ok ? probe.reply : null;
  return {
    id: reply?.node_id ?? id,
    url,
    role: reply?.role ?? null,
    term: reply?.term ?? null,
    leader_id: reply?.leader_id ?? null,
    commit_index: reply?.commit_index ?? null,
    applied_index: reply?.applied_index ?? null,
    health: probe.ok ? probe.reply.status : probe.reason,
    voter: null,
    pid: null,
    process: null,
    ...extra,
  };
}

function summarize(nodes: NodeRow[]): ClusterRows {
  const leaders = nodes.filter((n) => n.role === 'leader').sort((a, b) => (b.term ?? 0) - (a.term ?? 0));
  const term = Math.max(0, ...nodes.map((n) => n.term ?? 0));
  return { leader: leaders[0]?.id ?? null, term, nodes };
}

/** Rows for the cluster recorded in a state file. */
export async function recordedRows(cluster: DetachedCluster): Promise<ClusterRows> {
  const probes = await cluster.health();
  const nodes = cluster.nodes().map((n, i) =>
    row(n.id, n.url, probes[i], {
      voter: n.voter,
      pid: n.process === 'gone' ? null : n.pid,
      process: n.process,
    }),
  );
  return summarize(nodes);
}

/** Rows for explicit URLs (no state file: no pids, voter-ness unknown). */
export async function urlRows(urls: readonly string[], token: string | undefined): Promise<ClusterRows> {
  const probes = await probeNodes(urls, { token });
  return summarize(urls.map((url, i) => row(url, url, probes[i], {})));
}

/** The table text. */
export function clusterTable(color: ChalkInstance, rows: ClusterRows): string {
  const body = rows.nodes.map((n) => [
    n.id,
    n.url,
    n.health === 'unreachable' || n.health === 'timeout' ? color.red(n.health) : role(color, n.role),
    n.voter === null ? '-' : n.voter ? 'voter' : color.dim('learner'),
    n.term,
    n.commit_index,
    n.applied_index,
    n.health === 'healthy' ? color.green(n.health) : color.yellow(n.health),
    n.pid === null ? '-' : n.process === 'paused' ? `${n.pid} ${color.yellow('(paused)')}` : n.pid,
  ]);
  const head = ['node', 'url', 'role', 'kind', 'term', 'commit', 'applied', 'health', 'pid'];
  const leader = rows.leader === null ? color.yellow('none') : color.green.bold(rows.leader);
  return `${table(color, head, body)}\nleader: ${leader}  term: ${rows.term}`;
}

/** Rows for a ClusterManager this process runs (foreground start). */
export function managerRows(status: ClusterStatus): ClusterRows {
  const nodes = status.nodes.map((n) => {
    const probe: ProbeResult = n.reply
      ? { ok: true, reply: n.reply }
      : { ok: false, reason: 'unreachable', detail: n.detail };
    return row(n.id, n.url, probe, {
      voter: n.voter,
      pid: n.pid,
      process: n.state === 'paused' ? 'paused' : n.state === 'running' ? 'running' : 'gone',
      ...(n.up ? {} : { role: null, health: n.reason ?? 'down' }),
    });
  });
  return { ...summarize(nodes), leader: status.leaderId, term: status.term };
}
