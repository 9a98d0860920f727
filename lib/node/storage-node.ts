/**
 * StorageNode: one logcluster member — storage engine + Raft core + peer transport + HTTP API.
 * `start()` opens (and recovers) the data directory, listens, and starts the Raft clock;
 * `stop()` finishes or fails every pending request and closes everything.
 */
import { randomInt } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { access, constants, mkdir, readFile, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { Raft } from '../consensus/index.js';
import { LogClusterError } from '../errors.js';
import { createHttpApi, type HttpApi } from '../http/index.js';
import type { SyslogListener } from '../integrations/syslog/listener.js';
import { startNodeSyslog } from '../integrations/syslog/node-syslog.js';
import { Prng } from '../prng.js';
import { NodeFileSystem } from '../storage/index.js';
import { FaultFilter, HttpTransport, refuseUpgrade } from '../transport/index.js';
import { CHECKPOINT_FILE_NAME, Checkpointer } from './checkpointer.js';
import { TickClock } from './clock.js';
import {
  finishRepair,
  isRepairable,
  pendingRepair,
  REPAIR_ATTEMPTS_MAX,
  repairLog,
} from './corruption-repair.js';
import { Forwarder } from './forwarder.js';
import { LiveFeed } from './live-feed.js';
import { NodeCore } from './node-core.js';
import { NodeApiService } from './node-service.js';
import {
  electionTicksOf,
  type ResolvedNodeOptions,
  resolveNodeOptions,
  type StorageNodeOptions,
} from './options.js';
import { type KnownConfigs, RaftStorage } from './raft-storage.js';
import { Retention } from './retention.js';
import { StateMachine } from './state-machine.js';

/** How long stop() lets in-flight writes finish before failing them with OUTCOME_UNKNOWN. */
export const STOP_GRACE_MS = 2_000;
/** How often a node whose disk filled up checks whether space came back. */
export const DISK_RETRY_INTERVAL_MS = 1_000;
/** Free bytes required before a node that hit a full disk accepts writes again. */
export const DISK_FREE_BYTES_MIN = 1024 * 1024;

/** A node's view of itself, for ClusterManager and tests. */
export interface NodeStatus {
  readonly id: string;
  readonly role: string;
  readonly term: number;
  readonly leaderId: string | null;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly lastIndex: number;
  readonly voters: readonly string[];
  readonly learners: readonly string[];
}

/**
 * Events: 'role-change' {role, term}, 'leader-change' {leaderId, term}, 'storage-failed' {error},
 * 'retention' (a CompactionEvent: retention dropped segments), 'retention-failed' {error},
 * 'checkpoint-restored' {applied, refusal} (at start: the index the local checkpoint restored, 0
 * and why not when the log is replayed), 'checkpoint-failed' {error} (saving one failed: harmless).
 */
export class StorageNode extends EventEmitter {
  readonly id: string;
  readonly #options: ResolvedNodeOptions;
  #core: NodeCore | null = null;
  #service: NodeApiService | null = null;
  #http: HttpApi | null = null;
  #clock: TickClock | null = null;
  #forwarder: Forwarder | null = null;
  #syslog: SyslogListener | null = null;
  #checkpointer: Checkpointer | null = null;
  #retention: Retention | null = null;
  #port = 0;
  #diskTimer: NodeJS.Timeout | null = null;
  #reopening = false;
  /** Non-zero while a repaired log may lack entries this node acknowledged (see corruption-repair.ts). */
  #voteAfterCommit = 0;
  #state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';

  /** Validates options (LogClusterError INVALID_OPTION naming the option); nothing is opened yet. */
  constructor(options: StorageNodeOptions) {
    super();
    this.#options = resolveNodeOptions(options);
    this.id = this.#options.id;
  }

  /** The port the HTTP API listens on (known after start). */
  get port(): number {
    return this.#port;
  }

  /** The URL clients and peers use for this node. */
  get url(): string {
    return this.#core?.selfUrl ?? this.#options.advertiseUrl;
  }

  /** Opens the data directory (recovering it), listens, and joins the cluster. */
  async start(): Promise<void> {
    if (this.#state !== 'new')
      throw new LogClusterError('ALREADY_RUNNING', `Node ${this.id} was already started`);
    this.#state = 'starting';
    const o = this.#options;
    await ensureWritable(o.dataDir);
    // The local checkpoint spares the replay of the log up to its index (checkpointer.ts).
    const checkpointer = new Checkpointer(FILE_SYSTEM, join(o.dataDir, CHECKPOINT_FILE_NAME));
    this.#checkpointer = checkpointer;
    const saved = checkpointer.load();
    const storage = await this.#openRepairing('checkpoint' in saved ? saved.checkpoint.configs : undefined);
    const machine = new StateMachine({
      readEntry: (index) => readNormalEntry(this.#core?.storage ?? storage, index),
    });
    const restored =
      'checkpoint' in saved
        ? checkpointer.restore(saved.checkpoint, storage, machine)
        : { applied: 0, refusal: saved.missing };
    this.emit('checkpoint-restored', restored);
    const snapshot = storage.snapshot();
    if (restored.applied === 0 && snapshot.data.length > 0) machine.restore(snapshot.data);
    const raft = newRaft(o, storage, restored.applied, this.#voteAfterCommit);
    const tls = await readTls(o);
    const network = new HttpTransport({
      id: o.id,
      peers: o.peers,
      clusterSecret: o.clusterSecret,
      ...(tls?.ca ? { ca: tls.ca } : {}),
    });
    const transport = new FaultFilter(network);
    const core = new NodeCore(o, raft, storage, machine, new LiveFeed(machine), transport, {
      roleChange: (role, term) => this.emit('role-change', { role, term }),
      leaderChange: (leaderId, term) => this.emit('leader-change', { leaderId, term }),
      storageFailed: (error) => {
        this.emit('storage-failed', { error });
        if (error.code === 'DISK_FULL') this.#watchDisk();
        else if (isRepairable(error)) void this.#reopen('repair', error);
      },
    });
    this.#core = core;
    this.#forwarder = new Forwarder(o.token, tls?.ca);
    this.#service = new NodeApiService(core, this.#forwarder);
    this.#http = createHttpApi(this.#service, {
      ...(o.token ? { token: o.token } : {}),
      ...(tls ? { tls: { cert: tls.cert, key: tls.key } } : {}),
    });
    this.#http.server.on('upgrade', (req, socket, head) => {
      if (!network.handleUpgrade(req, socket, head))
        refuseUpgrade(socket, new LogClusterError('ROUTE_NOT_FOUND'));
    });
    this.#port = await listen(this.#http, o.port, o.host);
    if (o.syslogPort !== null) this.#syslog = await startNodeSyslog(o.syslogPort, o.host, this.#service);
    const scheme = tls ? 'https' : 'http';
    core.selfUrl =
      o.advertiseUrl || `${scheme}://${o.host.includes(':') ? `[${o.host}]` : o.host}:${this.#port}`;
    this.#clock = new TickClock(o.tickIntervalMs, () => {
      core.tick();
      if (!this.#reopening && core.storageError === null) {
        checkpointer.maybeSave(core.machine, core.storage, (error) =>
          this.emit('checkpoint-failed', { error }),
        );
      }
      this.#checkRepairDone(core);
    });
    this.#clock.start();
    if (o.voters.length === 1 && o.voters[0] === o.id) raft.campaign();
    // Learn which peers are up now: with no leader known, the first one that answers starts a
    // poll soon after (Raft.reportReachable) instead of a whole election timeout later.
    transport.connect();
    core.driver.schedule();
    if (o.retentionMs > 0 || o.retentionBytes > 0) {
      const limits = { maxBytes: o.retentionBytes, maxAgeMs: o.retentionMs };
      this.#retention = new Retention(core, limits, {
        onCompacted: (event) => this.emit('retention', event),
        onError: (error) => this.emit('retention-failed', { error }),
      });
      core.retention = this.#retention;
      this.#retention.start();
    }
    this.#state = 'running';
  }

  /** Finishes (or, after STOP_GRACE_MS, fails) pending requests and closes everything. Idempotent. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'new') return;
    this.#state = 'stopping';
    await this.#syslog?.close(); // writes what it received while the node still can
    const core = this.#core;
    if (this.#service) this.#service.stopping = true;
    if (core) {
      const deadline = Date.now() + STOP_GRACE_MS;
      while (core.pending.size > 0 && Date.now() < deadline && !core.driver.failed) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const stopping = new LogClusterError(
        'OUTCOME_UNKNOWN',
        `Node ${this.id} stopped; retry with the same id`,
      );
      core.pending.failAll(stopping);
      core.reads.failAll(new LogClusterError('SHUTTING_DOWN'));
      core.feed.closeAll(new LogClusterError('SHUTTING_DOWN'));
    }
    this.#clock?.stop();
    await this.#retention?.stop();
    if (this.#diskTimer) clearInterval(this.#diskTimer);
    // Upgraded peer sockets keep the HTTP server open: close the transport first.
    await core?.transport.close();
    await this.#http?.close();
    await core?.driver.stop();
    if (core && !core.driver.failed && core.storageError === null) {
      // What a restart will not have to replay (a failed save leaves the previous checkpoint).
      await this.#checkpointer
        ?.saveNow(core.machine, core.storage)
        .catch((error) => this.emit('checkpoint-failed', { error }));
    }
    this.#forwarder?.close();
    await core?.storage.close();
    this.#state = 'stopped';
  }

  /** The node's Raft view. Throws NOT_READY before start. */
  status(): NodeStatus {
    const core = this.#core;
    if (!core) throw new LogClusterError('NOT_READY', `Node ${this.id} is not started`);
    const s = core.status();
    return {
      id: this.id,
      role: s.role,
      term: s.term,
      leaderId: s.leaderId,
      commitIndex: s.commitIndex,
      appliedIndex: core.machine.appliedIndex,
      lastIndex: s.lastIndex,
      voters: s.config.voters,
      learners: s.config.learners,
    };
  }

  /** Fault injection: drop peer traffic in one or both directions; the node keeps running. */
  isolate(direction: 'both' | 'in' | 'out' = 'both'): void {
    const transport = this.#requireCore().transport;
    const peers = Object.keys(this.#options.peers);
    if (direction === 'both') transport.isolate();
    else if (direction === 'in') transport.blockInbound(...peers);
    else transport.blockOutbound(...peers);
  }

  /** Ends every injected fault. */
  heal(): void {
    this.#requireCore().transport.heal();
  }

  /** After DISK_FULL: once space is back, reopen storage and rejoin with a fresh Raft core. */
  #watchDisk(): void {
    if (this.#diskTimer) return;
    this.#diskTimer = setInterval(async () => {
      try {
        const fs = await statfs(this.#options.dataDir);
        if (fs.bavail * fs.bsize >= DISK_FREE_BYTES_MIN) await this.#reopen('disk');
      } catch (error) {
        this.emit('storage-failed', { error });
      }
    }, DISK_RETRY_INTERVAL_MS);
  }

  /**
   * Rebuilds the consensus half of a running node from its data directory: after a full disk
   * (space came back) or to repair damage found while running. The applied state, the HTTP API
   * and the peer connections stay up.
   */
  async #reopen(why: 'disk' | 'repair', damage?: LogClusterError): Promise<void> {
    const core = this.#core;
    if (this.#reopening || !core || this.#state !== 'running') return;
    this.#reopening = true;
    try {
      await core.driver.stop();
      await core.storage.close().catch(() => {}); // a failed log may refuse a clean close
      if (damage) await this.#repair(damage);
      const storage = await this.#openRepairing();
      const applied = Math.min(core.machine.appliedIndex, storage.initialState().hardState.commit);
      core.replaceConsensus(newRaft(this.#options, storage, applied, this.#voteAfterCommit), storage);
      if (this.#diskTimer) clearInterval(this.#diskTimer);
      this.#diskTimer = null;
      this.emit('storage-recovered', { why });
    } finally {
      this.#reopening = false;
    }
  }

  /** Opens the Raft storage, cutting away log damage (at most REPAIR_ATTEMPTS_MAX times). */
  async #openRepairing(known?: KnownConfigs): Promise<RaftStorage> {
    const raftDir = join(this.#options.dataDir, 'raft');
    for (let attempt = 1; ; attempt++) {
      try {
        const storage = await openStorage(this.#options, known);
        this.#voteAfterCommit = await pendingRepair(FILE_SYSTEM, raftDir);
        return storage;
      } catch (error) {
        if (!isRepairable(error) || attempt > REPAIR_ATTEMPTS_MAX) throw error;
        await this.#repair(error);
      }
    }
  }

  async #repair(damage: LogClusterError): Promise<void> {
    const report = await repairLog(FILE_SYSTEM, join(this.#options.dataDir, 'raft'), damage);
    this.#voteAfterCommit = report.voteAfterCommit;
    this.emit('storage-repaired', report);
  }

  /** Once the commit index passed the repair barrier, the marker is no longer needed. */
  #checkRepairDone(core: NodeCore): void {
    if (this.#voteAfterCommit === 0 || core.status().commitIndex < this.#voteAfterCommit) return;
    this.#voteAfterCommit = 0;
    finishRepair(FILE_SYSTEM, join(this.#options.dataDir, 'raft')).catch((error) =>
      this.emit('storage-failed', { error }),
    );
  }

  #requireCore(): NodeCore {
    if (!this.#core) throw new LogClusterError('NOT_READY', `Node ${this.id} is not started`);
    return this.#core;
  }
}

/** The node's certificate, key and trusted CA as PEM text (null without TLS). */
async function readTls(o: ResolvedNodeOptions): Promise<{ cert: string; key: string; ca?: string } | null> {
  if (!o.tls) return null;
  const read = async (option: string, path: string) => {
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      const why = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new LogClusterError('INVALID_OPTION', `option tls.${option} cannot be read: ${path} (${why})`, {
        option: `tls.${option}`,
      });
    }
  };
  const cert = await read('certFile', o.tls.certFile);
  const key = await read('keyFile', o.tls.keyFile);
  return o.tls.caFile ? { cert, key, ca: await read('caFile', o.tls.caFile) } : { cert, key };
}

/** Opens (recovering) the node's Raft storage; a fresh node is bootstrapped with its configured membership. */
function openStorage(o: ResolvedNodeOptions, known?: KnownConfigs): Promise<RaftStorage> {
  const members = [o.id, ...Object.keys(o.peers)];
  const config = { voters: o.voters, learners: members.filter((m) => !o.voters.includes(m)) };
  return RaftStorage.open(
    FILE_SYSTEM,
    join(o.dataDir, 'raft'),
    config,
    { segmentBytesMax: o.segmentBytesMax },
    known,
  );
}

/** The real disk. */
const FILE_SYSTEM = new NodeFileSystem();

/** A Raft core over `storage`; `applied` > 0 when the applied state survived (disk recovery). */
function newRaft(
  o: ResolvedNodeOptions,
  storage: RaftStorage,
  applied: number,
  voteAfterCommit: number,
): Raft {
  return new Raft({
    id: o.id,
    storage,
    random: new Prng(randomInt(2 ** 32)),
    electionTicks: electionTicksOf(o),
    heartbeatTicks: 1,
    voteAfterCommit,
    ...(applied > 0 ? { applied } : {}),
  });
}

/** The Raft entry at `index` when it is a stored log entry (not a noop or config entry). */
function readNormalEntry(storage: RaftStorage, index: number) {
  if (index < storage.firstIndex() || index > storage.lastIndex()) return undefined;
  const [entry] = storage.entries(index, index + 1, 0);
  return entry && entry.type === 'normal'
    ? { index: entry.index, term: entry.term, payload: entry.data }
    : undefined;
}

async function ensureWritable(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new LogClusterError('DATA_DIR_UNWRITABLE', `The data directory ${dir} is not writable (${why})`, {
      dataDir: dir,
    });
  }
}

async function listen(http: HttpApi, port: number, host: string): Promise<number> {
  try {
    return (await http.listen(port, host)).port;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new LogClusterError('PORT_IN_USE', `Port ${port} on ${host} is already in use`, { port, host });
    }
    throw error;
  }
}
