/**
 * StorageNode options: the public shape (API.md "Library"), their defaults, and validation that
 * names the option and the value at fault (LogClusterError 'INVALID_OPTION').
 */
import { LogClusterError } from '../errors.js';
import { DEFAULT_LOG_OPTIONS } from '../storage/index.js';

/** Default milliseconds per Raft tick: heartbeats go out every tick. */
export const TICK_INTERVAL_MS_DEFAULT = 50;
/** Default election timeout: 10 ticks of 50 ms; randomized up to twice that by the core. */
export const ELECTION_TIMEOUT_MS_DEFAULT = 500;
/** Default retention: keep everything. */
export const RETENTION_DISABLED = 0;

/** What a StorageNode is told at construction. */
export interface StorageNodeOptions {
  /** This node's name, unique in the cluster, e.g. "node1". */
  readonly id: string;
  /** HTTP port (public API and peer upgrade route). 0 picks a free port. */
  readonly port: number;
  /** Address to listen on. Default 127.0.0.1 (loopback only). */
  readonly host?: string;
  /** Where this node keeps its log and state; created when missing. */
  readonly dataDir: string;
  /** Other members by id, as base URLs ("http://127.0.0.1:5002"). */
  readonly peers?: Readonly<Record<string, string>>;
  /** The URL peers and clients should use for this node (default http://host:port). */
  readonly advertiseUrl?: string;
  /** Ids that vote (default: this node and every peer). The others are learners. */
  readonly voters?: readonly string[];
  /** Milliseconds per Raft tick. */
  readonly tickIntervalMs?: number;
  /** Election timeout in milliseconds (a multiple of the tick). */
  readonly electionTimeoutMs?: number;
  /** Bearer token required from clients on every route but /health (none: open). */
  readonly token?: string;
  /** Secret required on peer traffic (none: open). */
  readonly clusterSecret?: string;
  /** Drop whole segments older than this many ms (0: keep). */
  readonly retentionMs?: number;
  /** Drop the oldest whole segments while the log exceeds this many bytes (0: no bound). */
  readonly retentionBytes?: number;
  /** Log segment size: the unit retention deletes (default SEGMENT_BYTES_MAX, 64 MiB). */
  readonly segmentBytesMax?: number;
  /** Also take syslog (RFC 5424/3164, TCP and UDP) on this port of `host` (docs/integrations/syslog.md). */
  readonly syslogPort?: number;
  /**
   * Serve HTTPS (clients and peers alike) with this certificate and key; `caFile` is the CA this
   * node trusts for its https peers (default: the system's). Peers' URLs then use https://.
   */
  readonly tls?: NodeTlsOptions;
  /**
   * TEST ONLY: deliberate bugs the chaos checker must catch. Never set in production. When absent,
   * the comma list in the LOGCLUSTER_PLANTED_BUGS environment variable is used (so node processes
   * started by a test harness inherit them).
   */
  readonly bugs?: NodeBugs;
}

/** Certificate files for HTTPS (PEM). */
export interface NodeTlsOptions {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile?: string;
}

function checkTls(tls: NodeTlsOptions | undefined): NodeTlsOptions | null {
  if (tls === undefined) return null;
  for (const key of ['certFile', 'keyFile'] as const) {
    if (typeof tls?.[key] !== 'string' || tls[key] === '')
      throw invalid(`tls.${key}`, tls?.[key], 'must be a file path');
  }
  if (tls.caFile !== undefined && (typeof tls.caFile !== 'string' || tls.caFile === '')) {
    throw invalid('tls.caFile', tls.caFile, 'must be a file path');
  }
  return tls;
}

/** TEST ONLY: planted node bugs (see StorageNodeOptions.bugs). */
export interface NodeBugs {
  /** Answer a write as soon as it is proposed, before it is persisted or committed anywhere. */
  readonly ackOnPropose?: boolean;
  /** Serve linearizable reads from the local applied state, without a ReadIndex round. */
  readonly staleReads?: boolean;
}

/** The environment variable a test harness sets to plant NodeBugs in node processes. */
export const PLANTED_BUGS_ENV = 'LOGCLUSTER_PLANTED_BUGS';

function plantedBugs(options: StorageNodeOptions): NodeBugs {
  if (options.bugs) return options.bugs;
  const names = (process.env[PLANTED_BUGS_ENV] ?? '').split(',').filter(Boolean);
  return { ackOnPropose: names.includes('ackOnPropose'), staleReads: names.includes('staleReads') };
}

/** Options with every default filled in. */
export interface ResolvedNodeOptions
  extends Required<Omit<StorageNodeOptions, 'token' | 'clusterSecret' | 'syslogPort' | 'tls'>> {
  readonly token: string | null;
  readonly tls: NodeTlsOptions | null;
  readonly syslogPort: number | null;
  readonly clusterSecret: string | null;
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

function invalid(option: string, value: unknown, why: string): LogClusterError {
  return new LogClusterError('INVALID_OPTION', `option ${option} ${why} (got ${JSON.stringify(value)})`, {
    option,
  });
}

function checkUrl(option: string, value: unknown): string {
  if (typeof value !== 'string') throw invalid(option, value, 'must be a URL string');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(option, value, 'must be a URL like http://127.0.0.1:5002');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(option, value, 'must be http(s)');
  return value.replace(/\/+$/, '');
}

function checkMs(option: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw invalid(option, value, `must be an integer >= ${min}`);
  }
  return value;
}

function checkPort(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535) {
    throw invalid(option, value, 'must be an integer from 0 to 65535');
  }
  return value;
}

/** The election timeout in Raft ticks (at least 3: the core needs it well above one heartbeat tick). */
export function electionTicksOf(
  o: Pick<ResolvedNodeOptions, 'electionTimeoutMs' | 'tickIntervalMs'>,
): number {
  return Math.max(3, Math.round(o.electionTimeoutMs / o.tickIntervalMs));
}

/** Validates options and fills defaults. Throws LogClusterError('INVALID_OPTION') naming the option. */
export function resolveNodeOptions(options: StorageNodeOptions): ResolvedNodeOptions {
  if (typeof options !== 'object' || options === null) throw invalid('options', options, 'must be an object');
  if (typeof options.id !== 'string' || !ID_PATTERN.test(options.id)) {
    throw invalid('id', options.id, 'must be 1-63 letters, digits, "_", "." or "-"');
  }
  const { port } = options;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw invalid('port', port, 'must be an integer from 0 to 65535');
  }
  if (typeof options.dataDir !== 'string' || options.dataDir === '') {
    throw invalid('dataDir', options.dataDir, 'must be a non-empty path');
  }
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '')
    throw invalid('host', options.host, 'must be a host name or address');
  const peers: Record<string, string> = {};
  for (const [id, url] of Object.entries(options.peers ?? {})) {
    if (!ID_PATTERN.test(id) || id === options.id)
      throw invalid(`peers.${id}`, id, 'must be another valid node id');
    peers[id] = checkUrl(`peers.${id}`, url);
  }
  const members = [options.id, ...Object.keys(peers)];
  const voters = options.voters ?? members;
  for (const voter of voters) {
    if (!members.includes(voter)) throw invalid('voters', voter, 'must name this node or one of its peers');
  }
  if (voters.length === 0) throw invalid('voters', voters, 'must name at least one voter');
  const tickIntervalMs = checkMs('tickIntervalMs', options.tickIntervalMs, TICK_INTERVAL_MS_DEFAULT, 1);
  const electionTimeoutMs = checkMs(
    'electionTimeoutMs',
    options.electionTimeoutMs,
    ELECTION_TIMEOUT_MS_DEFAULT,
    tickIntervalMs * 3,
  );
  for (const key of ['token', 'clusterSecret'] as const) {
    const value = options[key];
    if (value !== undefined && (typeof value !== 'string' || value.length < 8)) {
      throw invalid(key, '<redacted>', 'must be a string of at least 8 characters');
    }
  }
  return {
    id: options.id,
    port,
    host,
    dataDir: options.dataDir,
    peers,
    advertiseUrl: options.advertiseUrl ? checkUrl('advertiseUrl', options.advertiseUrl) : '',
    voters: [...voters],
    tickIntervalMs,
    electionTimeoutMs,
    token: options.token ?? null,
    clusterSecret: options.clusterSecret ?? null,
    retentionMs: checkMs('retentionMs', options.retentionMs, RETENTION_DISABLED, 0),
    retentionBytes: checkMs('retentionBytes', options.retentionBytes, RETENTION_DISABLED, 0),
    segmentBytesMax: checkMs(
      'segmentBytesMax',
      options.segmentBytesMax,
      DEFAULT_LOG_OPTIONS.segmentBytesMax,
      64,
    ),
    syslogPort: options.syslogPort === undefined ? null : checkPort('syslogPort', options.syslogPort),
    tls: checkTls(options.tls),
    bugs: plantedBugs(options),
  };
}
