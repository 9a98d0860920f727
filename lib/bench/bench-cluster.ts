/**
 * A logcluster cluster under test: real node processes started by ClusterManager with the
 * default (durable) settings on free loopback ports, plus what the scenarios ask of it (who
 * leads, is a node caught up). With a profile directory the node processes run with
 * `--cpu-prof`, and `nodes.json` there maps each profile's pid to its node.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterManager } from '../cluster/cluster-manager.js';
import { JsonHttp, pollUntil } from './http.js';

/** A node's /health fields the scenarios read. */
export interface NodeHealth {
  readonly role: string;
  readonly term: number;
  readonly leader_id: string | null;
  readonly commit_index: number;
  readonly applied_index: number;
}

/** /health polls answer within this on loopback unless the node is dead or stopped. */
const HEALTH_PROBE_TIMEOUT_MS = 1_000;

/** Options of BenchCluster.start. */
export interface BenchClusterOptions {
  readonly dataDir: string;
  readonly nodes: number;
  /** Run node processes with --cpu-prof into this directory. */
  readonly cpuProfDir?: string | null;
  /** Health poll period of the manager (a short one makes start() resolve sooner after election). */
  readonly healthIntervalMs?: number;
}

/** A running cluster of node processes. */
export class BenchCluster {
  readonly manager: ClusterManager;
  readonly http = new JsonHttp();
  readonly #profDir: string | null;
  #restoreExecArgv: (() => void) | null = null;

  private constructor(manager: ClusterManager, profDir: string | null) {
    this.manager = manager;
    this.#profDir = profDir;
  }

  /** Starts the nodes; resolves once the manager sees a leader. Stops what started on failure. */
  static async start(options: BenchClusterOptions): Promise<BenchCluster> {
    const manager = new ClusterManager({
      nodes: options.nodes,
      basePort: 0,
      dataDir: options.dataDir,
      ...(options.healthIntervalMs === undefined ? {} : { healthIntervalMs: options.healthIntervalMs }),
    });
    const cluster = new BenchCluster(manager, options.cpuProfDir ?? null);
    cluster.#profile();
    try {
      await manager.start();
    } catch (error) {
      cluster.#unprofile();
      cluster.http.close();
      throw error;
    }
    cluster.#recordPids();
    return cluster;
  }

  /** Node id -> base URL. */
  get urls(): Record<string, string> {
    return Object.fromEntries(this.manager.config.nodes.map((n) => [n.id, n.url]));
  }

  /** One node's /health answer (200 or 503 bodies alike), or null when it does not answer. */
  async health(id: string): Promise<NodeHealth | null> {
    const reply = await this.http.call('GET', `${this.urls[id]}/health`, undefined, HEALTH_PROBE_TIMEOUT_MS);
    const body = reply.body as Partial<NodeHealth> | null;
    return body && typeof body.role === 'string' ? (body as NodeHealth) : null;
  }

  /** The node that answers as leader with the highest term, once one does (polled). */
  leader(timeoutMs: number): Promise<{ id: string; url: string; health: NodeHealth }> {
    return pollUntil(
      'a leader',
      async () => {
        const ids = this.manager.nodeIds;
        const answers = await Promise.all(ids.map((id) => this.health(id)));
        let best: { id: string; url: string; health: NodeHealth } | null = null;
        for (const [i, health] of answers.entries()) {
          if (health?.role === 'leader' && (best === null || health.term > best.health.term)) {
            best = { id: ids[i], url: this.urls[ids[i]], health };
          }
        }
        return best;
      },
      timeoutMs,
    );
  }

  /** Resolves once node `id` has applied at least `index` (it answers /health and has caught up). */
  async waitApplied(id: string, index: number, timeoutMs: number): Promise<NodeHealth> {
    return pollUntil(
      `${id} to apply index ${index}`,
      async () => {
        const health = await this.health(id);
        return health && health.applied_index >= index ? health : null;
      },
      timeoutMs,
    );
  }

  /** Every node's process id now; null while any node has none (stopped, killed, in-process). */
  pids(): number[] | null {
    const pids = this.manager.status().nodes.map((n) => n.pid);
    return pids.every((pid) => pid !== null) ? (pids as number[]) : null;
  }

  /** SIGKILLs node `id`. */
  kill(id: string): Promise<void> {
    return this.manager.kill(id);
  }

  /** Starts node `id` again from its data directory. */
  async restart(id: string): Promise<void> {
    await this.manager.restart(id);
    this.#recordPids();
  }

  /** Stops every node gracefully (profiles are written then) and releases the clients. */
  async stop(): Promise<void> {
    try {
      await this.manager.stop();
    } finally {
      this.http.close();
      this.#unprofile();
    }
  }

  /**
   * The launcher passes this process's execArgv to every node it starts (so nodes run under the
   * same loader); while this cluster lives, the profiler flags ride along. The benchmark's own
   * helpers are forked with childExecArgv(), which drops them.
   */
  #profile(): void {
    const dir = this.#profDir;
    if (!dir) return;
    mkdirSync(dir, { recursive: true });
    const flags = ['--cpu-prof', `--cpu-prof-dir=${dir}`];
    process.execArgv.push(...flags);
    this.#restoreExecArgv = () => {
      for (const flag of flags) {
        const at = process.execArgv.lastIndexOf(flag);
        if (at >= 0) process.execArgv.splice(at, 1);
      }
    };
  }

  #unprofile(): void {
    this.#restoreExecArgv?.();
    this.#restoreExecArgv = null;
  }

  #recordPids(): void {
    if (!this.#profDir) return;
    const pids = new Map<number, string>();
    for (const node of this.manager.status().nodes) {
      // The role as last seen: the leader's profile is the write path's.
      if (node.pid !== null) pids.set(node.pid, `${node.id} (${node.reply?.role ?? 'starting'})`);
    }
    // Clusters started one after another on the same directory (reopen runs) add to the map.
    const file = join(this.#profDir, 'nodes.json');
    const known = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
    const map = { ...known, ...Object.fromEntries([...pids].map(([pid, id]) => [String(pid), id])) };
    writeFileSync(file, `${JSON.stringify(map, null, 2)}\n`);
  }
}
