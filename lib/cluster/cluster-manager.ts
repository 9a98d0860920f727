/**
 * ClusterManager: starts N nodes (child processes by default, or in this process), watches them,
 * routes client calls, and breaks and repairs them on purpose (API.md "Library").
 */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type {
  LogEntryInput,
  LogQuery,
  LogRecord,
  QueryResult,
  ReadOptions,
  WriteOptions,
  WriteResult,
} from '../client/index.js';
import { LogClusterError } from '../errors.js';
import { type ClusterAccess, createClusterAccess } from './cluster-access.js';
import { type ClusterConfigInput, type ResolvedClusterConfig, resolveClusterConfig } from './config.js';
import { controlSocketPath } from './control-socket.js';
import { type ClusterEventMap, forwardClusterEvents } from './events.js';
import { warnIfExposed } from './exposure.js';
import { HEALTH_INTERVAL_MS, HealthMonitor, type NodeView, waitForLeader } from './health-monitor.js';
import { InProcessNode } from './in-process-node.js';
import type { IsolateDirection } from './ipc.js';
import type { NodeHandle, NodeState } from './node-handle.js';
import { findNode, nodeOptionsFor, withBasePort } from './node-plan.js';
import { assertDirWritable, assertPortsFree, findFreePortRange } from './preflight.js';
import { ProcessNode } from './process-node.js';

/** How long start() waits for the first leader before START_TIMEOUT (elections take ~0.5-1 s). */
export const START_TIMEOUT_MS_DEFAULT = 20_000;

/** How nodes run: separate OS processes (real kill/pause) or objects in this process. */
export type ClusterMode = 'process' | 'in-process';

/** Options of `new ClusterManager(...)`: the config settings plus how to run and watch. */
export interface ClusterManagerOptions extends ClusterConfigInput {
  /** Default 'process'. */
  readonly mode?: ClusterMode;
  /** A configuration already resolved (the CLI's loadClusterConfig); other settings are ignored. */
  readonly config?: ResolvedClusterConfig;
  /** Default START_TIMEOUT_MS_DEFAULT. */
  readonly startTimeoutMs?: number;
  /** Health poll period; default HEALTH_INTERVAL_MS. */
  readonly healthIntervalMs?: number;
}

/** One member in status(). */
export interface ManagedNodeStatus extends NodeView {
  readonly url: string;
  readonly pid: number | null;
  readonly state: NodeState;
  readonly isolated: boolean;
}

/** The cluster as the manager sees it now. */
export interface ClusterStatus {
  readonly leaderId: string | null;
  readonly term: number;
  readonly nodes: readonly ManagedNodeStatus[];
}

/**
 * Starts, watches and breaks a cluster. Events: node-down, node-up, leader-change, degraded,
 * healthy (see events.ts). Every method taking a node id throws UNKNOWN_NODE for a bad one.
 */
export class ClusterManager extends EventEmitter<ClusterEventMap> {
  readonly mode: ClusterMode;
  #config: ResolvedClusterConfig;
  readonly #startTimeoutMs: number;
  readonly #healthIntervalMs: number;
  #handles = new Map<string, NodeHandle>();
  #monitor: HealthMonitor | null = null;
  #access: ClusterAccess | null = null;
  #started = false;

  constructor(options: ClusterManagerOptions = {}) {
    super();
    const { mode, config, startTimeoutMs, healthIntervalMs, ...settings } = options;
    if (mode !== undefined && mode !== 'process' && mode !== 'in-process') {
      throw new LogClusterError(
        'INVALID_OPTION',
        `option mode must be "process" or "in-process" (got ${JSON.stringify(mode)})`,
        {
          option: 'mode',
        },
      );
    }
    this.mode = mode ?? 'process';
    this.#config =
      config ??
      resolveClusterConfig([
        { origin: 'option', label: 'options', baseDir: process.cwd(), values: settings },
      ]);
    this.#startTimeoutMs = startTimeoutMs ?? START_TIMEOUT_MS_DEFAULT;
    this.#healthIntervalMs = healthIntervalMs ?? HEALTH_INTERVAL_MS;
  }

  /** The configuration in effect (ports filled in once started when basePort was 0). */
  get config(): ResolvedClusterConfig {
    return this.#config;
  }

  /** Member ids in configuration order. */
  get nodeIds(): string[] {
    return this.#config.nodes.map((n) => n.id);
  }

  /** The current leader's id as last seen by the health monitor (null: none known). */
  get leaderId(): string | null {
    return this.#monitor?.leader.id ?? null;
  }

  /** The client the manager routes through (writes to the leader, retries with idempotent ids). */
  get client(): ClusterAccess['client'] {
    return this.#requireAccess().client;
  }

  /**
   * Checks ports and data directories, starts every node, and resolves once a leader is elected.
   * Throws PORT_IN_USE, DATA_DIR_UNWRITABLE, NOT_READY (a node failed to start) or START_TIMEOUT;
   * on failure every node already started is stopped again.
   */
  async start(): Promise<void> {
    if (this.#started) throw new LogClusterError('ALREADY_RUNNING', 'this ClusterManager is already started');
    if (this.#config.nodes.some((n) => n.port === 0)) {
      this.#config = withBasePort(
        this.#config,
        await findFreePortRange(this.#config.host, this.#config.nodes.length),
      );
    }
    await assertPortsFree(this.#config.nodes);
    for (const node of this.#config.nodes) await assertDirWritable(node.dataDir);
    warnIfExposed(this.#config);
    this.#started = true;
    this.#access = createClusterAccess(this.#config);
    this.#handles = new Map(this.#config.nodes.map((spec) => [spec.id, this.#handle(spec.id)]));
    this.#monitor = new HealthMonitor({
      nodes: this.#config.nodes,
      probe: (id) => this.#requireAccess().probe(id),
      intervalMs: this.#healthIntervalMs,
    });
    forwardClusterEvents(this.#monitor, this);
    try {
      await Promise.all([...this.#handles.values()].map((h) => h.start()));
      this.#monitor.start();
      await this.waitForLeader(this.#startTimeoutMs);
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Resolves with the leader's id once one is known, or throws START_TIMEOUT after timeoutMs. */
  waitForLeader(timeoutMs = this.#startTimeoutMs): Promise<string> {
    return waitForLeader(this.#requireMonitor(), timeoutMs);
  }

  /** Stops every node gracefully (paused ones are continued first) and the monitor. Idempotent. */
  async stop(): Promise<void> {
    this.#monitor?.stop();
    await Promise.all([...this.#handles.values()].map((h) => h.stop()));
    this.#access?.close();
    this.#started = false;
  }

  /**
   * Appends one entry (or a batch: one consensus round) through the leader; resolves once it is
   * fsynced on a majority and committed. Retries carry the same ids, so nothing is stored twice.
   */
  write(entry: LogEntryInput, options?: WriteOptions): Promise<WriteResult>;
  write(entries: readonly LogEntryInput[], options?: WriteOptions): Promise<WriteResult[]>;
  write(
    input: LogEntryInput | readonly LogEntryInput[],
    options?: WriteOptions,
  ): Promise<WriteResult | WriteResult[]> {
    return this.#requireAccess().client.write(input, options);
  }

  /** Reads one entry by file_path or id, starting on the next healthy node in turn. */
  read(ref: string, options?: ReadOptions): Promise<LogRecord> {
    return this.#requireAccess().spread(this.#healthyIds()).read(ref, options);
  }

  /** Queries committed entries (GET /logs), starting on the next healthy node in turn. */
  query(filter?: LogQuery): Promise<QueryResult> {
    return this.#requireAccess().spread(this.#healthyIds()).query(filter);
  }

  /** Every member with its latest health, process and fault state. */
  status(): ClusterStatus {
    const monitor = this.#monitor;
    const views = monitor?.views() ?? [];
    return {
      leaderId: monitor?.leader.id ?? null,
      term: monitor?.leader.term ?? 0,
      nodes: this.#config.nodes.map((spec, i) => {
        const handle = this.#handles.get(spec.id);
        const view = views[i] ?? {
          id: spec.id,
          voter: spec.voter,
          up: false,
          reason: null,
          detail: 'not started',
          reply: null,
          checkedAt: 0,
        };
        return {
          ...view,
          url: spec.url,
          pid: handle?.pid ?? null,
          state: handle?.state ?? 'stopped',
          isolated: handle?.isolated ?? false,
        };
      }),
    };
  }

  /** SIGKILLs node `id` (in-process: stops it at once). It stays down until restart(id). */
  async kill(id: string): Promise<void> {
    const handle = this.#node(id);
    this.#monitor?.force(id, 'killed');
    await handle.kill();
    void this.#monitor?.poll();
  }

  /** Freezes node `id` (SIGSTOP) until heal(id) or resume(id). */
  async pause(id: string): Promise<void> {
    const handle = this.#node(id);
    this.#monitor?.force(id, 'paused');
    await handle.pause();
    void this.#monitor?.poll();
  }

  /** Continues a paused node. */
  async resume(id: string): Promise<void> {
    await this.#node(id).resume();
    this.#monitor?.force(id, null);
  }

  /**
   * Cuts node `id`'s peer traffic ('both' by default); it keeps answering clients. Reported as
   * node-down 'isolated' at once, until heal(id).
   */
  async isolate(id: string, direction: IsolateDirection = 'both'): Promise<void> {
    const handle = this.#node(id);
    await handle.isolate(direction);
    this.#monitor?.force(id, 'isolated');
    void this.#monitor?.poll();
  }

  /** Undoes pause and isolate on node `id`, or on every node when no id is given. */
  async heal(id?: string): Promise<void> {
    const ids = id === undefined ? this.nodeIds : [this.#node(id).id];
    for (const each of ids) {
      const handle = this.#node(each);
      await handle.resume();
      await handle.heal();
      this.#monitor?.force(each, null);
    }
    void this.#monitor?.poll();
  }

  /** Stops node `id` if it runs (gracefully) and starts it again from its data directory. */
  async restart(id: string): Promise<void> {
    const handle = this.#node(id);
    await handle.stop();
    this.#monitor?.force(id, null);
    await handle.start();
    void this.#monitor?.poll();
  }

  #handle(id: string): NodeHandle {
    const spec = findNode(this.#config, id);
    const options = nodeOptionsFor(this.#config, id);
    if (this.mode === 'in-process') return new InProcessNode(options, spec.url);
    const logFile = join(this.#config.dataDir, 'logs', `${id}.log`);
    const handle = new ProcessNode(options, spec.url, logFile, controlSocketPath(this.#config.dataDir, id));
    handle.onUnexpectedExit(() => void this.#monitor?.poll());
    return handle;
  }

  #node(id: string): NodeHandle {
    findNode(this.#config, id);
    const handle = this.#handles.get(id);
    if (!handle) throw new LogClusterError('NOT_RUNNING', 'the cluster is not started');
    return handle;
  }

  #healthyIds(): string[] {
    return (this.#monitor?.views() ?? []).filter((v) => v.up).map((v) => v.id);
  }

  #requireMonitor(): HealthMonitor {
    if (!this.#monitor) throw new LogClusterError('NOT_RUNNING', 'the cluster is not started');
    return this.#monitor;
  }

  #requireAccess(): ClusterAccess {
    if (!this.#access) throw new LogClusterError('NOT_RUNNING', 'the cluster is not started');
    return this.#access;
  }
}
