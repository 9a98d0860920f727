/**
 * A cluster whose nodes outlive the process that started them (`logcluster start --detach`, CI),
 * found again through its state file. Also attaches to a foreground cluster's state file, so
 * `status`, `fail`, `recover` and `stop` work from another terminal.
 */
import { join } from 'node:path';
import { LogClusterError } from '../errors.js';
import { type ClusterAccess, createClusterAccess } from './cluster-access.js';
import type { ResolvedClusterConfig } from './config.js';
import { controlSocketPath, sendControl } from './control-socket.js';
import { warnIfExposed } from './exposure.js';
import { HealthMonitor, waitForLeader } from './health-monitor.js';
import { launchNode } from './launcher.js';
import { findNode, nodeOptionsFor, withBasePort } from './node-plan.js';
import { processStatus, signalPid, waitForExit } from './pids.js';
import { assertDirWritable, assertPortsFree, findFreePortRange } from './preflight.js';
import {
  type ClusterState,
  type RecordedNode,
  readClusterState,
  removeClusterState,
  writeClusterState,
} from './state-file.js';

/** Default wait for the first leader of a detached start. */
export const DETACHED_START_TIMEOUT_MS = 20_000;
/** SIGTERM gets this long to stop a node gracefully before SIGKILL. */
export const STOP_GRACE_MS = 8000;
/** How long recover waits for the node to answer /health again. */
export const RECOVER_TIMEOUT_MS = 15_000;
/** Poll period while waiting for a node to answer. */
const RECOVER_POLL_MS = 50;
/** Substring of every node process's command line (guards against signalling a reused pid). */
export const NODE_PROCESS_MARKER = 'node-process';

/** How `fail` breaks a node. */
export type FailMode = 'kill' | 'pause' | 'isolate';

/** What a recorded node's process is doing now. */
export interface RecordedNodeStatus extends RecordedNode {
  readonly process: 'running' | 'paused' | 'gone';
}

/** Options of DetachedCluster.start. */
export interface DetachedStartOptions {
  readonly startTimeoutMs?: number;
}

/** A cluster known by its state file. */
export class DetachedCluster {
  #state: ClusterState;
  #access: ClusterAccess | null = null;
  /** State file writes run one at a time (launches finish concurrently). */
  #saving: Promise<void> = Promise.resolve();

  private constructor(state: ClusterState) {
    this.#state = state;
  }

  /**
   * Starts every node detached, records them in `<dataDir>/cluster.json`, and resolves once a
   * leader is elected. Throws ALREADY_RUNNING when a live cluster is recorded there,
   * PORT_IN_USE, DATA_DIR_UNWRITABLE, NOT_READY or START_TIMEOUT (nothing is left running then).
   */
  static async start(
    config: ResolvedClusterConfig,
    options: DetachedStartOptions = {},
  ): Promise<DetachedCluster> {
    // Base port 0: pick free consecutive ports now, since peers must know each other's ports.
    if (config.nodes.some((n) => n.port === 0)) {
      config = withBasePort(config, await findFreePortRange(config.host, config.nodes.length));
    }
    await assertDirWritable(config.dataDir);
    await assertNotRunning(config.dataDir);
    await assertPortsFree(config.nodes);
    for (const node of config.nodes) await assertDirWritable(node.dataDir);
    warnIfExposed(config);
    const nodes: RecordedNode[] = config.nodes.map((n) => ({
      id: n.id,
      url: n.url,
      pid: null,
      voter: n.voter,
      logFile: join(config.dataDir, 'logs', `${n.id}.log`),
      controlSocket: controlSocketPath(config.dataDir, n.id),
    }));
    const cluster = new DetachedCluster({
      version: 1,
      mode: 'detached',
      ownerPid: null,
      startedAt: new Date().toISOString(),
      config,
      nodes,
    });
    try {
      const launched = await Promise.allSettled(nodes.map((n) => cluster.#launch(n.id)));
      const failed = launched.find((r) => r.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
      await waitForLeader(cluster.#monitor(), options.startTimeoutMs ?? DETACHED_START_TIMEOUT_MS);
    } catch (error) {
      await cluster.stop().catch(() => undefined);
      throw error;
    }
    return cluster;
  }

  /** Attaches to the cluster recorded in dataDir. Throws NOT_RUNNING when none is. */
  static async open(dataDir: string): Promise<DetachedCluster> {
    return new DetachedCluster(await readClusterState(dataDir));
  }

  /** The recorded state (pids as of the last change). */
  get state(): ClusterState {
    return this.#state;
  }

  /** A client over every recorded node. */
  get client(): ClusterAccess['client'] {
    return this.#clients().client;
  }

  /** Each recorded node with what its process is doing now. */
  nodes(): RecordedNodeStatus[] {
    return this.#state.nodes.map((n) => ({ ...n, process: processStatus(n.pid, NODE_PROCESS_MARKER) }));
  }

  /** One /health probe per node, in order. */
  async health(): Promise<Awaited<ReturnType<ClusterAccess['probe']>>[]> {
    const access = this.#clients();
    return Promise.all(this.#state.nodes.map((n) => access.probe(n.id)));
  }

  /**
   * Stops every node: SIGTERM (continuing paused ones), SIGKILL after STOP_GRACE_MS, then
   * removes the state file. A foreground cluster is stopped through its owner process.
   */
  async stop(): Promise<void> {
    const owner = this.#state.ownerPid;
    if (this.#state.mode === 'foreground' && owner !== null && processStatus(owner) !== 'gone') {
      signalPid(owner, 'SIGTERM');
      await waitForExit([owner], STOP_GRACE_MS);
    }
    const pids = this.nodes()
      .filter((n) => n.process !== 'gone')
      .map((n) => n.pid!);
    for (const pid of pids) {
      signalPid(pid, 'SIGTERM');
      signalPid(pid, 'SIGCONT');
    }
    if (!(await waitForExit(pids, STOP_GRACE_MS, NODE_PROCESS_MARKER))) {
      for (const pid of pids) signalPid(pid, 'SIGKILL');
      await waitForExit(pids, STOP_GRACE_MS, NODE_PROCESS_MARKER);
    }
    this.#access?.close();
    await removeClusterState(this.#state.config.dataDir);
  }

  /** Breaks node `id`: kill (SIGKILL), pause (SIGSTOP) or isolate (its control socket). */
  async fail(id: string, mode: FailMode): Promise<void> {
    const node = this.#recorded(id);
    const status = processStatus(node.pid, NODE_PROCESS_MARKER);
    if (status === 'gone') throw new LogClusterError('NOT_RUNNING', `node ${id} is not running`, { id });
    if (mode === 'kill') {
      signalPid(node.pid!, 'SIGKILL');
      await waitForExit([node.pid!], STOP_GRACE_MS, NODE_PROCESS_MARKER);
    } else if (mode === 'pause') {
      signalPid(node.pid!, 'SIGSTOP');
    } else {
      await sendControl(this.#socket(node), { type: 'isolate', direction: 'both' });
      await this.#update(id, { isolated: true });
    }
  }

  /**
   * Repairs node `id`: continues it when paused (SIGCONT), restores its peer traffic when `fail`
   * isolated it, or starts it again from its data directory when its process is gone; resolves
   * once it answers /health.
   */
  async recover(id: string): Promise<void> {
    const node = this.#recorded(id);
    const status = processStatus(node.pid, NODE_PROCESS_MARKER);
    if (status === 'gone') {
      const owner = this.#state.ownerPid;
      if (this.#state.mode === 'foreground' && owner !== null) {
        // The foreground owner restarts its own dead children on SIGUSR2 (cli/commands/start.ts).
        if (!signalPid(owner, 'SIGUSR2'))
          throw new LogClusterError('NOT_RUNNING', 'the foreground cluster has exited');
      } else {
        await this.#launch(id);
      }
    } else {
      if (status === 'paused') signalPid(node.pid!, 'SIGCONT');
      if (node.isolated) {
        await sendControl(this.#socket(node), { type: 'heal' });
        await this.#update(id, { isolated: false });
      }
    }
    await this.#waitAnswering(id);
  }

  async #launch(id: string): Promise<void> {
    const config = this.#state.config;
    const recorded = this.#recorded(id);
    findNode(config, id);
    const child = await launchNode({
      options: nodeOptionsFor(config, id),
      detached: true,
      logFile: recorded.logFile,
      controlSocket: this.#socket(recorded),
    });
    await this.#update(id, { pid: child.pid, isolated: false });
  }

  /** Records a change of one node (writes are serialized: launches finish concurrently). */
  async #update(id: string, patch: Partial<RecordedNode>): Promise<void> {
    this.#state = {
      ...this.#state,
      nodes: this.#state.nodes.map((n) => (n.id === id ? { ...n, ...patch } : n)),
    };
    this.#saving = this.#saving.then(() => writeClusterState(this.#state));
    await this.#saving;
  }

  async #waitAnswering(id: string): Promise<void> {
    const deadline = Date.now() + RECOVER_TIMEOUT_MS;
    const access = this.#clients();
    for (;;) {
      const result = await access.probe(id);
      if (result.ok) return;
      if (Date.now() >= deadline) {
        throw new LogClusterError('NOT_READY', `node ${id} did not answer within ${RECOVER_TIMEOUT_MS} ms`, {
          id,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, RECOVER_POLL_MS));
    }
  }

  #socket(node: RecordedNode): string {
    return node.controlSocket ?? controlSocketPath(this.#state.config.dataDir, node.id);
  }

  #recorded(id: string): RecordedNode {
    findNode(this.#state.config, id);
    return this.#state.nodes.find((n) => n.id === id)!;
  }

  #clients(): ClusterAccess {
    this.#access ??= createClusterAccess(this.#state.config);
    return this.#access;
  }

  #monitor(): HealthMonitor {
    const access = this.#clients();
    return new HealthMonitor({ nodes: this.#state.config.nodes, probe: (id) => access.probe(id) });
  }

  /** Releases the clients (the nodes keep running). */
  close(): void {
    this.#access?.close();
    this.#access = null;
  }
}

/** Throws ALREADY_RUNNING when a live cluster is recorded in dataDir; clears a stale record. */
export async function assertNotRunning(dataDir: string): Promise<void> {
  let state: ClusterState;
  try {
    state = await readClusterState(dataDir);
  } catch (error) {
    if ((error as LogClusterError).code === 'NOT_RUNNING') return;
    throw error;
  }
  const live = state.nodes.filter((n) => processStatus(n.pid, NODE_PROCESS_MARKER) !== 'gone');
  if (live.length > 0 || (state.ownerPid !== null && processStatus(state.ownerPid) !== 'gone')) {
    throw new LogClusterError(
      'ALREADY_RUNNING',
      `a cluster is already running in ${dataDir} (${live.map((n) => `${n.id} pid ${n.pid}`).join(', ')}); run "logcluster stop" first`,
      { dataDir },
    );
  }
  await removeClusterState(dataDir);
}
