/**
 * `logcluster start`: brings up a local cluster. In the foreground (default) it prints a live,
 * colored event log and stops every node on Ctrl-C; with --detach the nodes run on their own,
 * recorded in `<data-dir>/cluster.json` for stop/status/fail/recover.
 */
import type { EventEmitter } from 'node:events';
import {
  assertNotRunning,
  CLUSTER_EVENTS,
  type ClusterConfigInput,
  ClusterManager,
  controlSocketPath,
  DetachedCluster,
  loadClusterConfig,
  type ResolvedClusterConfig,
  readClusterState,
  removeClusterState,
  writeClusterState,
} from '../../lib/index.js';
import { clusterTable, managerRows, recordedRows } from '../cluster-table.js';
import { defineCommand } from '../command.js';
import { type GlobalArgs, type Output, output } from '../context.js';
import { eventLine } from '../format.js';

interface StartArgs extends GlobalArgs {
  readonly nodes?: number;
  readonly basePort?: number;
  readonly host?: string;
  readonly replicationFactor?: number;
  readonly electionTimeoutMs?: number;
  readonly tickIntervalMs?: number;
  readonly detach: boolean;
  readonly inProcess: boolean;
  readonly startTimeoutMs?: number;
}

/** Flag names as typed, for errors that name the flag. */
const FLAG_NAMES = {
  nodes: '--nodes',
  basePort: '--base-port',
  host: '--host',
  dataDir: '--data-dir',
  replicationFactor: '--replication-factor',
  electionTimeoutMs: '--election-timeout-ms',
  tickIntervalMs: '--tick-interval-ms',
};

function flags(args: StartArgs): ClusterConfigInput {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(FLAG_NAMES) as (keyof typeof FLAG_NAMES)[]) {
    if (args[key] !== undefined) out[key] = args[key];
  }
  return out;
}

export const startCommand = defineCommand<StartArgs>({
  command: 'start',
  describe: 'start a local cluster (foreground with live events, or --detach)',
  builder: (y) =>
    y
      .option('nodes', { type: 'number', describe: 'number of nodes (default 3)' })
      .option('base-port', {
        type: 'number',
        describe: 'port of the first node; the others follow (default 5001)',
      })
      .option('host', { type: 'string', describe: 'address to listen on (default 127.0.0.1)' })
      .option('replication-factor', {
        type: 'number',
        describe: 'voting nodes (default min(3, nodes)); the rest are learners',
      })
      .option('election-timeout-ms', { type: 'number', describe: 'Raft election timeout (default 500)' })
      .option('tick-interval-ms', { type: 'number', describe: 'Raft tick / heartbeat period (default 50)' })
      .option('detach', {
        type: 'boolean',
        default: false,
        describe: 'return once a leader is elected; nodes keep running',
      })
      .option('in-process', {
        type: 'boolean',
        default: false,
        describe: 'run the nodes inside this process (foreground only)',
      })
      .option('start-timeout-ms', {
        type: 'number',
        describe: 'give up when no leader is elected this soon (default 20000)',
      }),
  examples: [
    ['$0 start', '3 nodes on 127.0.0.1:5001-5003, data in ./data; Ctrl-C stops them'],
    ['$0 start --detach --base-port 7001 --data-dir /tmp/lc', 'for CI: returns once a leader is elected'],
    ['$0 start --nodes 5 --replication-factor 3', '3 voters and 2 learners'],
    [
      '$0 start --config ./logcluster.config.json',
      'settings from a file (flags and LOGCLUSTER_* env vars override it)',
    ],
  ],
  handler: async (args) => {
    const out = output(args);
    const config = await loadClusterConfig({
      configPath: args.config,
      flags: { ...flags(args), ...(args.dataDir === undefined ? {} : { dataDir: args.dataDir }) },
      flagNames: FLAG_NAMES,
    });
    if (args.detach) await startDetached(out, config, args);
    else await startForeground(out, config, args);
  },
});

async function startDetached(out: Output, config: ResolvedClusterConfig, args: StartArgs): Promise<void> {
  const cluster = await DetachedCluster.start(config, { startTimeoutMs: args.startTimeoutMs });
  try {
    const rows = await recordedRows(cluster);
    if (out.json) {
      out.data({ success: true, dataDir: config.dataDir, ...rows });
      return;
    }
    out.line(clusterTable(out.color, rows));
    const dirFlag = args.dataDir === undefined ? '' : ` --data-dir ${args.dataDir}`;
    out.line(`cluster running in the background; logs in ${config.dataDir}/logs`);
    out.line(
      `try: logcluster write "hello"${dirFlag}   logcluster status${dirFlag}   logcluster stop${dirFlag}`,
    );
  } finally {
    cluster.close();
  }
}

async function startForeground(out: Output, config: ResolvedClusterConfig, args: StartArgs): Promise<void> {
  await assertNotRunning(config.dataDir);
  const manager = new ClusterManager({
    config,
    mode: args.inProcess ? 'in-process' : 'process',
    startTimeoutMs: args.startTimeoutMs,
  });
  for (const name of CLUSTER_EVENTS) {
    (manager as EventEmitter).on(name, (event: Record<string, unknown>) => {
      if (out.json) out.line(JSON.stringify({ event: name, ...(event as object) }));
      else out.line(eventLine(out.color, name, event));
    });
  }
  if (!out.json)
    out.line(out.color.dim(`starting ${config.nodes.length} nodes, data in ${config.dataDir} ...`));
  await manager.start();
  // `fail --mode isolate` from another terminal marks nodes in the file; keep those marks.
  const isolated = async (): Promise<Set<string>> => {
    const state = await readClusterState(config.dataDir).catch(() => null);
    return new Set(state?.nodes.filter((n) => n.isolated).map((n) => n.id) ?? []);
  };
  const record = async (): Promise<void> => {
    const marks = await isolated();
    await writeClusterState({
      version: 1,
      mode: 'foreground',
      ownerPid: process.pid,
      startedAt: new Date().toISOString(),
      config: manager.config,
      nodes: manager.status().nodes.map((n) => ({
        id: n.id,
        url: n.url,
        pid: n.pid,
        voter: n.voter,
        logFile: `${config.dataDir}/logs/${n.id}.log`,
        controlSocket: controlSocketPath(config.dataDir, n.id),
        ...(marks.has(n.id) && n.state !== 'dead' ? { isolated: true } : {}),
      })),
    });
  };
  await record();
  if (!out.json) {
    out.line(clusterTable(out.color, managerRows(manager.status())));
    out.line(
      out.color.dim(
        'Ctrl-C stops the cluster. In another terminal: logcluster status | write | fail | recover',
      ),
    );
  }
  await runUntilSignal(manager, record, out);
}

/**
 * Keeps the cluster up until SIGINT/SIGTERM; SIGUSR2 (sent by `recover`) restarts dead nodes.
 * Restarts and state-file writes run one at a time, and a stop waits for the one in flight: a
 * write finishing after the stop removed the file would bring it back, and a failure ends the
 * command with its error instead of an unhandled rejection.
 */
function runUntilSignal(manager: ClusterManager, record: () => Promise<void>, out: Output): Promise<void> {
  return new Promise((resolve, reject) => {
    let stopping = false;
    let busy: Promise<unknown> = Promise.resolve();
    const inTurn = (work: () => Promise<unknown>, what: string): void => {
      busy = busy
        .then(() => (stopping ? undefined : work()))
        .catch((error: unknown) => out.note(`${what} failed: ${String(error)}`));
    };
    const stop = (): void => {
      if (stopping) {
        out.note('stopping now (second signal)');
        process.exit(130);
      }
      stopping = true;
      if (!out.json) out.line(out.color.dim('stopping every node ...'));
      busy
        .then(() => manager.stop())
        .then(() => removeClusterState(manager.config.dataDir))
        .then(() => {
          if (!out.json) out.line(out.color.green('stopped'));
          resolve();
        }, reject);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    process.on('SIGHUP', stop);
    process.on('SIGUSR2', () =>
      inTurn(async () => {
        const dead = manager.status().nodes.filter((n) => n.state === 'dead' || n.state === 'stopped');
        await Promise.all(dead.map((n) => manager.restart(n.id)));
        await record();
      }, 'restart'),
    );
    manager.on('node-up', () => inTurn(record, 'recording the cluster'));
  });
}
