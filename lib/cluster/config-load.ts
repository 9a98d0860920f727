/**
 * Reads the layers of the cluster configuration from where users put them: the config file
 * (`logcluster.config.json` in the working directory, or an explicit path), LOGCLUSTER_* env
 * vars, and flags, then resolves them (defaults < file < env < flags).
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { LogClusterError } from '../errors.js';
import {
  type ClusterConfigInput,
  type ConfigLayer,
  layerError,
  type ResolvedClusterConfig,
  resolveClusterConfig,
} from './config.js';

/** The file looked up in the working directory when no path is given. */
export const CONFIG_FILE_NAME = 'logcluster.config.json';
/** A config file bigger than this is not a config file (guards against pointing at a log). */
export const CONFIG_FILE_BYTES_MAX = 1024 * 1024;

/** Env var per setting; `LOGCLUSTER_CONFIG` names the file itself. */
export const CONFIG_ENV_VARS = {
  nodes: 'LOGCLUSTER_NODES',
  basePort: 'LOGCLUSTER_BASE_PORT',
  host: 'LOGCLUSTER_HOST',
  dataDir: 'LOGCLUSTER_DATA_DIR',
  replicationFactor: 'LOGCLUSTER_REPLICATION_FACTOR',
  electionTimeoutMs: 'LOGCLUSTER_ELECTION_TIMEOUT_MS',
  syslogPort: 'LOGCLUSTER_SYSLOG_PORT',
  tickIntervalMs: 'LOGCLUSTER_TICK_INTERVAL_MS',
  fsync: 'LOGCLUSTER_FSYNC',
  retentionMaxAgeMs: 'LOGCLUSTER_RETENTION_MAX_AGE_MS',
  retentionMaxBytes: 'LOGCLUSTER_RETENTION_MAX_BYTES',
  token: 'LOGCLUSTER_TOKEN',
  clusterSecret: 'LOGCLUSTER_CLUSTER_SECRET',
} as const;

/** Env var naming the config file, below an explicit --config. */
export const CONFIG_PATH_ENV_VAR = 'LOGCLUSTER_CONFIG';

/** Where to look and what overrides the file. */
export interface LoadConfigOptions {
  /** Explicit config file; must exist. Default: $LOGCLUSTER_CONFIG, else ./logcluster.config.json if present. */
  readonly configPath?: string;
  /** Working directory for relative paths and the default file lookup. */
  readonly cwd?: string;
  /** Environment to read LOGCLUSTER_* from (default process.env); pass {} to ignore it. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Flag values, highest precedence. `flagNames` maps a field to the flag users typed. */
  readonly flags?: ClusterConfigInput;
  readonly flagNames?: Readonly<Record<string, string>>;
}

/**
 * Reads and validates the file, env vars and flags. Throws LogClusterError('CONFIG_INVALID')
 * naming the file (or variable, or flag) and the field when anything is malformed.
 */
export async function loadClusterConfig(options: LoadConfigOptions = {}): Promise<ResolvedClusterConfig> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const layers: ConfigLayer[] = [];
  const file = await readConfigFile(options.configPath ?? env[CONFIG_PATH_ENV_VAR], cwd);
  if (file) layers.push(file);
  layers.push(envLayer(env, cwd));
  if (options.flags) {
    layers.push({
      origin: 'flag',
      label: 'flags',
      baseDir: cwd,
      values: options.flags,
      names: options.flagNames,
    });
  }
  return resolveClusterConfig(layers, cwd);
}

/** The file layer, or null when no path was given and the default file does not exist. */
export async function readConfigFile(
  explicitPath: string | undefined,
  cwd: string,
): Promise<ConfigLayer | null> {
  const filePath = resolve(cwd, explicitPath ?? CONFIG_FILE_NAME);
  let text: string;
  try {
    text = await readFile(filePath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && explicitPath === undefined) return null;
    throw new LogClusterError('CONFIG_INVALID', `config file ${filePath} cannot be read (${code ?? error})`, {
      source: filePath,
    });
  }
  if (text.length > CONFIG_FILE_BYTES_MAX) {
    throw new LogClusterError(
      'CONFIG_INVALID',
      `config file ${filePath} is larger than ${CONFIG_FILE_BYTES_MAX} bytes`,
      {
        source: filePath,
      },
    );
  }
  let values: unknown;
  try {
    values = JSON.parse(text);
  } catch (error) {
    throw new LogClusterError(
      'CONFIG_INVALID',
      `config file ${filePath} is not valid JSON: ${(error as Error).message}`,
      { source: filePath },
    );
  }
  return {
    origin: 'file',
    label: `config file ${filePath}`,
    baseDir: dirname(filePath),
    values: values as ClusterConfigInput,
  };
}

/** The env layer: only variables that are set and non-empty count. */
export function envLayer(env: Readonly<Record<string, string | undefined>>, cwd: string): ConfigLayer {
  const values: Record<string, unknown> = {};
  const names: Record<string, string> = {};
  const layer: ConfigLayer = { origin: 'env', label: 'environment', baseDir: cwd, values, names };
  const numeric = (field: string, name: string): number | undefined => {
    const text = env[name];
    if (text === undefined || text === '') return undefined;
    names[field] = name;
    const value = Number(text);
    if (!/^\s*-?\d+\s*$/.test(text)) throw layerError(layer, field, 'must be an integer', text);
    return value;
  };
  const text = (field: string, name: string): string | undefined => {
    const value = env[name];
    if (value === undefined || value === '') return undefined;
    names[field] = name;
    return value;
  };
  const set = (field: string, value: unknown): void => {
    if (value !== undefined) values[field] = value;
  };
  set('nodes', numeric('nodes', CONFIG_ENV_VARS.nodes));
  set('basePort', numeric('basePort', CONFIG_ENV_VARS.basePort));
  set('host', text('host', CONFIG_ENV_VARS.host));
  set('dataDir', text('dataDir', CONFIG_ENV_VARS.dataDir));
  set('replicationFactor', numeric('replicationFactor', CONFIG_ENV_VARS.replicationFactor));
  set('electionTimeoutMs', numeric('electionTimeoutMs', CONFIG_ENV_VARS.electionTimeoutMs));
  set('tickIntervalMs', numeric('tickIntervalMs', CONFIG_ENV_VARS.tickIntervalMs));
  set('syslogPort', numeric('syslogPort', CONFIG_ENV_VARS.syslogPort));
  set('fsync', text('fsync', CONFIG_ENV_VARS.fsync));
  set('token', text('token', CONFIG_ENV_VARS.token));
  set('clusterSecret', text('clusterSecret', CONFIG_ENV_VARS.clusterSecret));
  const maxAgeMs = numeric('retention.maxAgeMs', CONFIG_ENV_VARS.retentionMaxAgeMs);
  const maxBytes = numeric('retention.maxBytes', CONFIG_ENV_VARS.retentionMaxBytes);
  if (maxAgeMs !== undefined || maxBytes !== undefined) {
    values.retention = {
      ...(maxAgeMs === undefined ? {} : { maxAgeMs }),
      ...(maxBytes === undefined ? {} : { maxBytes }),
    };
  }
  return layer;
}
