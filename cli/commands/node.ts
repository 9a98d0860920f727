/**
 * `logcluster node`: runs ONE node of a multi-host cluster in the foreground, every setting from
 * flags or LOGCLUSTER_* env vars (so it fits a container or a systemd unit). Stops on SIGINT /
 * SIGTERM after finishing in-flight requests.
 */
import { exposureWarning, LogClusterError, StorageNode, type StorageNodeOptions } from '../../lib/index.js';
import { defineCommand } from '../command.js';
import { type GlobalArgs, keyValues, output } from '../context.js';
import { role } from '../format.js';

interface NodeArgs extends GlobalArgs {
  readonly id?: string;
  readonly port?: number;
  readonly host?: string;
  readonly peers?: string[];
  readonly voters?: string;
  readonly advertiseUrl?: string;
  readonly clusterSecret?: string;
  readonly tickIntervalMs?: number;
  readonly electionTimeoutMs?: number;
  readonly syslogPort?: number;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly tlsCa?: string;
  readonly retentionMaxAgeMs?: number;
  readonly retentionMaxBytes?: number;
}

/** Flag -> env var of the node command. */
export const NODE_ENV_VARS = {
  id: 'LOGCLUSTER_NODE_ID',
  port: 'LOGCLUSTER_PORT',
  host: 'LOGCLUSTER_HOST',
  dataDir: 'LOGCLUSTER_DATA_DIR',
  peers: 'LOGCLUSTER_PEERS',
  voters: 'LOGCLUSTER_VOTERS',
  advertiseUrl: 'LOGCLUSTER_ADVERTISE_URL',
  token: 'LOGCLUSTER_TOKEN',
  clusterSecret: 'LOGCLUSTER_CLUSTER_SECRET',
  tickIntervalMs: 'LOGCLUSTER_TICK_INTERVAL_MS',
  electionTimeoutMs: 'LOGCLUSTER_ELECTION_TIMEOUT_MS',
  syslogPort: 'LOGCLUSTER_SYSLOG_PORT',
  tlsCert: 'LOGCLUSTER_TLS_CERT',
  tlsKey: 'LOGCLUSTER_TLS_KEY',
  tlsCa: 'LOGCLUSTER_TLS_CA',
  retentionMaxAgeMs: 'LOGCLUSTER_RETENTION_MAX_AGE_MS',
  retentionMaxBytes: 'LOGCLUSTER_RETENTION_MAX_BYTES',
} as const;

function integer(name: string, text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  if (!/^\d+$/.test(text.trim())) {
    throw new LogClusterError('INVALID_OPTION', `${name} must be an integer (got "${text}")`, {
      option: name,
    });
  }
  return Number(text);
}

/** The node's options: flags first, then env vars. Validation is StorageNode's (names the option). */
export function nodeOptions(args: NodeArgs, env: NodeJS.ProcessEnv = process.env): StorageNodeOptions {
  const pick = <K extends keyof typeof NODE_ENV_VARS>(key: K): string | undefined => {
    const flag = (args as unknown as Record<string, unknown>)[key];
    return flag === undefined ? env[NODE_ENV_VARS[key]] || undefined : String(flag);
  };
  const id = pick('id');
  const dataDir = pick('dataDir');
  if (!id)
    throw new LogClusterError('INVALID_OPTION', 'node needs --id (or LOGCLUSTER_NODE_ID)', { option: 'id' });
  if (!dataDir) {
    throw new LogClusterError('INVALID_OPTION', 'node needs --data-dir (or LOGCLUSTER_DATA_DIR)', {
      option: 'dataDir',
    });
  }
  const peersText = args.peers ?? (env[NODE_ENV_VARS.peers] ? [env[NODE_ENV_VARS.peers]!] : undefined);
  const voters = pick('voters');
  const options: Record<string, unknown> = {
    id,
    port: integer('--port', pick('port')) ?? 5001,
    dataDir,
    peers: keyValues('--peers', peersText),
    host: pick('host'),
    advertiseUrl: pick('advertiseUrl'),
    voters: voters ? voters.split(',').map((v) => v.trim()) : undefined,
    token: pick('token'),
    clusterSecret: pick('clusterSecret'),
    tickIntervalMs: integer('--tick-interval-ms', pick('tickIntervalMs')),
    electionTimeoutMs: integer('--election-timeout-ms', pick('electionTimeoutMs')),
    syslogPort: integer('--syslog-port', pick('syslogPort')),
    tls: tlsOptions(pick('tlsCert'), pick('tlsKey'), pick('tlsCa')),
    retentionMs: integer('--retention-max-age-ms', pick('retentionMaxAgeMs')),
    retentionBytes: integer('--retention-max-bytes', pick('retentionMaxBytes')),
  };
  for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key];
  return options as unknown as StorageNodeOptions;
}

function tlsOptions(certFile?: string, keyFile?: string, caFile?: string) {
  if (!certFile && !keyFile && !caFile) return undefined;
  if (!certFile || !keyFile) {
    throw new LogClusterError('INVALID_OPTION', 'TLS needs both --tls-cert and --tls-key', { option: 'tls' });
  }
  return caFile ? { certFile, keyFile, caFile } : { certFile, keyFile };
}

export const nodeCommand = defineCommand<NodeArgs>({
  command: 'node',
  describe: 'run one node of a multi-host cluster (settings from flags or env)',
  builder: (y) =>
    y
      .option('id', { type: 'string', describe: "this node's id (env LOGCLUSTER_NODE_ID)" })
      .option('port', { type: 'number', describe: 'HTTP port (env LOGCLUSTER_PORT; default 5001)' })
      .option('host', {
        type: 'string',
        describe: 'address to listen on (env LOGCLUSTER_HOST; default 127.0.0.1)',
      })
      .option('peers', {
        type: 'string',
        array: true,
        describe: 'other members: id=url,... (env LOGCLUSTER_PEERS)',
      })
      .option('voters', { type: 'string', describe: 'voting ids a,b,c (env LOGCLUSTER_VOTERS; default all)' })
      .option('advertise-url', {
        type: 'string',
        describe: 'URL others reach this node at (env LOGCLUSTER_ADVERTISE_URL)',
      })
      .option('cluster-secret', {
        type: 'string',
        describe: 'secret for peer traffic (env LOGCLUSTER_CLUSTER_SECRET)',
      })
      .option('tick-interval-ms', { type: 'number', describe: 'Raft tick (env LOGCLUSTER_TICK_INTERVAL_MS)' })
      .option('election-timeout-ms', {
        type: 'number',
        describe: 'election timeout (env LOGCLUSTER_ELECTION_TIMEOUT_MS)',
      })
      .option('syslog-port', {
        type: 'number',
        describe: 'also take syslog (TCP and UDP) on this port (env LOGCLUSTER_SYSLOG_PORT)',
      })
      .option('tls-cert', {
        type: 'string',
        describe: 'serve HTTPS with this PEM certificate (env LOGCLUSTER_TLS_CERT)',
      })
      .option('tls-key', {
        type: 'string',
        describe: 'PEM private key for --tls-cert (env LOGCLUSTER_TLS_KEY)',
      })
      .option('tls-ca', {
        type: 'string',
        describe: 'PEM CA to trust for https peers (env LOGCLUSTER_TLS_CA)',
      })
      .option('retention-max-age-ms', {
        type: 'number',
        describe: 'drop whole segments older than this (env LOGCLUSTER_RETENTION_MAX_AGE_MS; 0: keep)',
      })
      .option('retention-max-bytes', {
        type: 'number',
        describe:
          'drop the oldest segments beyond this size (env LOGCLUSTER_RETENTION_MAX_BYTES; 0: no bound)',
      }),
  examples: [
    [
      '$0 node --id a --host 0.0.0.0 --port 5001 --data-dir /var/lib/lc --advertise-url http://10.0.0.1:5001 --peers b=http://10.0.0.2:5001,c=http://10.0.0.3:5001',
      'node a of a 3-host cluster',
    ],
    [
      'LOGCLUSTER_NODE_ID=a LOGCLUSTER_PEERS=b=http://b:5001 $0 node --data-dir /data',
      'the same from env vars',
    ],
  ],
  handler: async (args) => {
    const out = output(args);
    const options = nodeOptions(args);
    const node = new StorageNode(options);
    const warning = exposureWarning([options.host ?? '127.0.0.1'], options.token, options.clusterSecret);
    if (warning !== null) out.note(`${out.color.yellow('warning:')} ${warning}`);
    const stamp = (): string => out.color.dim(new Date().toISOString().slice(11, 23));
    node.on('role-change', (e: { role: string; term: number }) =>
      out.line(`${stamp()} role   ${role(out.color, e.role)} (term ${e.term})`),
    );
    node.on('leader-change', (e: { leaderId: string | null; term: number }) =>
      out.line(`${stamp()} leader ${e.leaderId ?? out.color.yellow('none')} (term ${e.term})`),
    );
    node.on('retention', (e: { index: number; segments: number; bytes: number }) =>
      out.line(
        `${stamp()} retention dropped ${e.segments} segment(s), ${e.bytes} bytes, up to index ${e.index}`,
      ),
    );
    node.on('retention-failed', (e: { error: unknown }) =>
      out.line(`${stamp()} ${out.color.yellow('retention failed:')} ${String(e.error)}`),
    );
    await node.start();
    out.line(`${out.color.green('node')} ${node.id} listening on ${node.url}`);
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        out.line(out.color.dim('stopping ...'));
        void node.stop().then(resolve);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  },
});
