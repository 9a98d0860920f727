/**
 * Cluster configuration: the shape of `logcluster.config.json`, its defaults, and one validator
 * shared by every layer (defaults < file < LOGCLUSTER_* env vars < flags / code options). Every
 * rejection names the field and where it came from, so a user can fix it without guessing.
 */
import { isAbsolute, join, resolve } from 'node:path';
import { LogClusterError } from '../errors.js';
import { ELECTION_TIMEOUT_MS_DEFAULT, TICK_INTERVAL_MS_DEFAULT } from '../node/options.js';

/** Nodes in the default local cluster (API.md: node1..node3). */
export const NODES_DEFAULT = 3;
/** First port of the default local cluster (API.md: 127.0.0.1:5001..5003). */
export const BASE_PORT_DEFAULT = 5001;
/** Loopback by default: a cluster is not exposed to the network unless asked. */
export const HOST_DEFAULT = '127.0.0.1';
/** Relative to the working directory (or to the config file when set there). */
export const DATA_DIR_DEFAULT = './data';
/** Voters beyond 3 add quorum latency for no durability a local cluster needs (API.md). */
export const REPLICATION_FACTOR_CAP_DEFAULT = 3;
/** A local cluster of more than this many nodes is a mistake, not a plan (each is a process). */
export const NODES_MAX = 32;
/** The one fsync policy implemented: every acknowledged entry is fsynced on a majority. */
export const FSYNC_POLICIES = ['always'] as const;

/** How durable an acknowledged write is. Only "always" exists today (see docs/cluster.md). */
export type FsyncPolicy = (typeof FSYNC_POLICIES)[number];

/** One explicitly listed member. Missing fields default from the cluster-wide settings. */
export interface ClusterNodeSpec {
  readonly id: string;
  readonly host?: string;
  readonly port?: number;
  readonly dataDir?: string;
}

/** Retention, applied by each node: whole segments older / beyond these bounds are dropped. */
export interface RetentionConfig {
  /** Drop segments older than this many ms (0: keep forever). */
  readonly maxAgeMs?: number;
  /** Drop the oldest segments while the log exceeds this many bytes (0: no bound). */
  readonly maxBytes?: number;
}

/** What a config file, env vars, flags or ClusterManager options may set; every field optional. */
export interface ClusterConfigInput {
  readonly nodes?: number | readonly ClusterNodeSpec[];
  readonly basePort?: number;
  readonly host?: string;
  readonly dataDir?: string;
  readonly replicationFactor?: number;
  readonly electionTimeoutMs?: number;
  readonly tickIntervalMs?: number;
  readonly fsync?: FsyncPolicy;
  readonly retention?: RetentionConfig;
  readonly token?: string;
  readonly clusterSecret?: string;
  /** First node's syslog port (TCP and UDP); node i listens on syslogPort + i. None: no listener. */
  readonly syslogPort?: number;
}

/** One member with everything decided. */
export interface ResolvedNodeSpec {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  /** Absolute path of this node's own data directory. */
  readonly dataDir: string;
  /** Base URL clients and peers use. */
  readonly url: string;
  /** True for the first `replicationFactor` members; the others are learners. */
  readonly voter: boolean;
}

/** The configuration a cluster runs with: every default filled, paths absolute. */
export interface ResolvedClusterConfig {
  readonly nodes: readonly ResolvedNodeSpec[];
  readonly basePort: number;
  readonly host: string;
  /** Absolute path of the cluster's data directory (holds cluster.json and the nodes' dirs). */
  readonly dataDir: string;
  readonly replicationFactor: number;
  readonly electionTimeoutMs: number;
  readonly tickIntervalMs: number;
  readonly fsync: FsyncPolicy;
  readonly retention: Required<RetentionConfig>;
  readonly token: string | null;
  readonly clusterSecret: string | null;
  /** First node's syslog port, or null (see ClusterConfigInput.syslogPort). */
  readonly syslogPort?: number | null;
}

/**
 * Where a layer came from, for error messages: `file` names the config file (CONFIG_INVALID),
 * `env` the variable, `flag` the command-line flag, `option` a library option (INVALID_OPTION).
 * `baseDir` resolves relative paths of that layer.
 */
export interface ConfigLayer {
  readonly origin: 'file' | 'env' | 'flag' | 'option';
  readonly label: string;
  readonly baseDir: string;
  readonly values: ClusterConfigInput;
  /** For env/flag layers: the name a user typed for each field (e.g. LOGCLUSTER_BASE_PORT). */
  readonly names?: Readonly<Record<string, string>>;
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const KNOWN_FIELDS = new Set([
  'nodes',
  'basePort',
  'host',
  'dataDir',
  'replicationFactor',
  'electionTimeoutMs',
  'tickIntervalMs',
  'fsync',
  'retention',
  'token',
  'clusterSecret',
  'syslogPort',
  '$schema',
]);

/** Builds the error for a bad field in a layer: CONFIG_INVALID, or INVALID_OPTION for code. */
export function layerError(layer: ConfigLayer, field: string, why: string, value?: unknown): LogClusterError {
  const shown = field === 'token' || field === 'clusterSecret' ? '<redacted>' : JSON.stringify(value);
  const got = value === undefined ? '' : ` (got ${shown})`;
  if (layer.origin === 'option') {
    return new LogClusterError('INVALID_OPTION', `option ${field} ${why}${got}`, { option: field });
  }
  const name = layer.names?.[field] ?? layer.names?.[field.split(/[.[]/)[0]] ?? field;
  const where =
    layer.origin === 'file'
      ? `${layer.label}: field "${field}"`
      : layer.origin === 'env'
        ? `environment variable ${name}`
        : `flag ${name}`;
  return new LogClusterError('CONFIG_INVALID', `${where} ${why}${got}`, { field, source: layer.label });
}

function int(layer: ConfigLayer, field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw layerError(layer, field, `must be an integer from ${min} to ${max}`, value);
  }
  return value;
}

function str(layer: ConfigLayer, field: string, value: unknown, minLength = 1): string {
  if (typeof value !== 'string' || value.length < minLength) {
    throw layerError(layer, field, `must be a string of at least ${minLength} character(s)`, value);
  }
  return value;
}

function path(layer: ConfigLayer, field: string, value: unknown): string {
  const text = str(layer, field, value);
  return isAbsolute(text) ? text : resolve(layer.baseDir, text);
}

function checkNodeSpec(layer: ConfigLayer, index: number, raw: unknown): ClusterNodeSpec {
  const at = `nodes[${index}]`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw layerError(layer, at, 'must be an object like {"id": "node1", "port": 5001}', raw);
  }
  const spec = raw as Record<string, unknown>;
  for (const key of Object.keys(spec)) {
    if (!['id', 'host', 'port', 'dataDir'].includes(key)) {
      throw layerError(layer, `${at}.${key}`, 'is not a known field (id, host, port, dataDir)');
    }
  }
  if (typeof spec.id !== 'string' || !ID_PATTERN.test(spec.id)) {
    throw layerError(layer, `${at}.id`, 'must be 1-63 letters, digits, "_", "." or "-"', spec.id);
  }
  return {
    id: spec.id,
    host: spec.host === undefined ? undefined : str(layer, `${at}.host`, spec.host),
    port: spec.port === undefined ? undefined : int(layer, `${at}.port`, spec.port, 0, 65535),
    dataDir: spec.dataDir === undefined ? undefined : path(layer, `${at}.dataDir`, spec.dataDir),
  };
}

/** Checks one layer's values (types and ranges) and makes its paths absolute. */
export function checkLayer(layer: ConfigLayer): ClusterConfigInput {
  const v = layer.values as Record<string, unknown>;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw layerError(layer, '(root)', 'must be a JSON object');
  }
  for (const key of Object.keys(v)) {
    if (!KNOWN_FIELDS.has(key)) throw layerError(layer, key, 'is not a known setting (see docs/cluster.md)');
  }
  const out: Record<string, unknown> = {};
  if (v.nodes !== undefined) {
    if (Array.isArray(v.nodes)) {
      if (v.nodes.length < 1 || v.nodes.length > NODES_MAX) {
        throw layerError(layer, 'nodes', `must list 1 to ${NODES_MAX} nodes`, v.nodes.length);
      }
      out.nodes = v.nodes.map((spec, i) => checkNodeSpec(layer, i, spec));
    } else {
      out.nodes = int(layer, 'nodes', v.nodes, 1, NODES_MAX);
    }
  }
  if (v.basePort !== undefined) out.basePort = int(layer, 'basePort', v.basePort, 0, 65535);
  if (v.host !== undefined) out.host = str(layer, 'host', v.host);
  if (v.dataDir !== undefined) out.dataDir = path(layer, 'dataDir', v.dataDir);
  if (v.replicationFactor !== undefined) {
    out.replicationFactor = int(layer, 'replicationFactor', v.replicationFactor, 1, NODES_MAX);
  }
  if (v.tickIntervalMs !== undefined)
    out.tickIntervalMs = int(layer, 'tickIntervalMs', v.tickIntervalMs, 1, 60_000);
  if (v.electionTimeoutMs !== undefined) {
    out.electionTimeoutMs = int(layer, 'electionTimeoutMs', v.electionTimeoutMs, 3, 600_000);
  }
  if (v.fsync !== undefined && !(FSYNC_POLICIES as readonly unknown[]).includes(v.fsync)) {
    throw layerError(
      layer,
      'fsync',
      'must be "always" (the only policy implemented; see docs/cluster.md)',
      v.fsync,
    );
  }
  if (v.fsync !== undefined) out.fsync = v.fsync;
  if (v.retention !== undefined) out.retention = checkRetention(layer, v.retention);
  if (v.token !== undefined) out.token = str(layer, 'token', v.token, 8);
  if (v.clusterSecret !== undefined) out.clusterSecret = str(layer, 'clusterSecret', v.clusterSecret, 8);
  if (v.syslogPort !== undefined) out.syslogPort = int(layer, 'syslogPort', v.syslogPort, 1, 65535);
  return out as ClusterConfigInput;
}

function checkRetention(layer: ConfigLayer, raw: unknown): RetentionConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw layerError(layer, 'retention', 'must be an object like {"maxAgeMs": 0, "maxBytes": 0}', raw);
  }
  const r = raw as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (key !== 'maxAgeMs' && key !== 'maxBytes') {
      throw layerError(layer, `retention.${key}`, 'is not a known field (maxAgeMs, maxBytes)');
    }
  }
  const out: { maxAgeMs?: number; maxBytes?: number } = {};
  if (r.maxAgeMs !== undefined)
    out.maxAgeMs = int(layer, 'retention.maxAgeMs', r.maxAgeMs, 0, Number.MAX_SAFE_INTEGER);
  if (r.maxBytes !== undefined)
    out.maxBytes = int(layer, 'retention.maxBytes', r.maxBytes, 0, Number.MAX_SAFE_INTEGER);
  return out;
}

/**
 * Merges layers in order (later wins; `retention` merges field by field) over the defaults and
 * checks the whole: unique ids and addresses, a replication factor no larger than the cluster,
 * an election timeout of at least three ticks. The error names the layer that set the culprit.
 */
export function resolveClusterConfig(
  layers: readonly ConfigLayer[],
  cwd = process.cwd(),
): ResolvedClusterConfig {
  const merged: Record<string, unknown> = {};
  const setBy: Record<string, ConfigLayer> = {};
  const defaults: ConfigLayer = { origin: 'option', label: 'defaults', baseDir: cwd, values: {} };
  for (const layer of layers) {
    const checked = checkLayer(layer) as Record<string, unknown>;
    for (const [key, value] of Object.entries(checked)) {
      merged[key] =
        key === 'retention' ? { ...(merged.retention as object | undefined), ...(value as object) } : value;
      setBy[key] = layer;
    }
  }
  const by = (field: string): ConfigLayer => setBy[field] ?? defaults;
  const host = (merged.host as string | undefined) ?? HOST_DEFAULT;
  const basePort = (merged.basePort as number | undefined) ?? BASE_PORT_DEFAULT;
  const dataDir = (merged.dataDir as string | undefined) ?? resolve(cwd, DATA_DIR_DEFAULT);
  const rawNodes = (merged.nodes as number | ClusterNodeSpec[] | undefined) ?? NODES_DEFAULT;
  const specs: ClusterNodeSpec[] =
    typeof rawNodes === 'number'
      ? Array.from({ length: rawNodes }, (_, i) => ({ id: `node${i + 1}` }))
      : rawNodes;
  if (typeof rawNodes === 'number' && basePort !== 0 && basePort + rawNodes - 1 > 65535) {
    throw layerError(
      by('basePort'),
      'basePort',
      `leaves no room for ${rawNodes} consecutive ports`,
      basePort,
    );
  }
  const replicationFactor =
    (merged.replicationFactor as number | undefined) ??
    Math.min(REPLICATION_FACTOR_CAP_DEFAULT, specs.length);
  if (replicationFactor > specs.length) {
    throw layerError(
      by('replicationFactor'),
      'replicationFactor',
      `must not exceed the number of nodes (${specs.length})`,
      replicationFactor,
    );
  }
  const tickIntervalMs = (merged.tickIntervalMs as number | undefined) ?? TICK_INTERVAL_MS_DEFAULT;
  const electionTimeoutMs = (merged.electionTimeoutMs as number | undefined) ?? ELECTION_TIMEOUT_MS_DEFAULT;
  if (electionTimeoutMs < tickIntervalMs * 3) {
    throw layerError(
      by('electionTimeoutMs'),
      'electionTimeoutMs',
      `must be at least 3 ticks (${tickIntervalMs * 3} ms with tickIntervalMs ${tickIntervalMs})`,
      electionTimeoutMs,
    );
  }
  const nodes = specs.map((spec, i): ResolvedNodeSpec => {
    const nodeHost = spec.host ?? host;
    const port = spec.port ?? (basePort === 0 ? 0 : basePort + i);
    return {
      id: spec.id,
      host: nodeHost,
      port,
      dataDir: spec.dataDir ?? join(dataDir, spec.id),
      url: `http://${urlHost(nodeHost)}:${port}`,
      voter: i < replicationFactor,
    };
  });
  checkUnique(by('nodes'), nodes);
  const retention = (merged.retention as RetentionConfig | undefined) ?? {};
  return {
    nodes,
    basePort,
    host,
    dataDir,
    replicationFactor,
    electionTimeoutMs,
    tickIntervalMs,
    fsync: (merged.fsync as FsyncPolicy | undefined) ?? 'always',
    retention: { maxAgeMs: retention.maxAgeMs ?? 0, maxBytes: retention.maxBytes ?? 0 },
    token: (merged.token as string | undefined) ?? null,
    clusterSecret: (merged.clusterSecret as string | undefined) ?? null,
    syslogPort: checkSyslogPort(by('syslogPort'), merged.syslogPort as number | undefined, nodes.length),
  };
}

function checkSyslogPort(layer: ConfigLayer, port: number | undefined, count: number): number | null {
  if (port === undefined) return null;
  if (port + count - 1 > 65535) {
    throw layerError(layer, 'syslogPort', `leaves no room for ${count} consecutive ports`, port);
  }
  return port;
}

function checkUnique(layer: ConfigLayer, nodes: readonly ResolvedNodeSpec[]): void {
  const ids = new Set<string>();
  const addresses = new Set<string>();
  nodes.forEach((node, i) => {
    if (ids.has(node.id)) throw layerError(layer, `nodes[${i}].id`, 'repeats another node id', node.id);
    ids.add(node.id);
    const address = `${node.host}:${node.port}`;
    if (node.port !== 0 && addresses.has(address)) {
      throw layerError(layer, `nodes[${i}].port`, `repeats another node's address ${address}`, node.port);
    }
    addresses.add(address);
  });
}

/** Host as it goes into a URL: IPv6 literals are bracketed, and a wildcard means loopback. */
export function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
