/**
 * What every command shares: the global options, colored output that honours --no-color and
 * NO_COLOR, --json output, and how a command finds the cluster it talks to
 * (--url / LOGCLUSTER_URL, else the state file in the data directory, else the configuration).
 */
import { Chalk, type ChalkInstance } from 'chalk';
import {
  DetachedCluster,
  LogClusterClient,
  LogClusterError,
  loadClusterConfig,
  probeNodes,
  type ResolvedClusterConfig,
} from '../lib/index.js';

/** The global options every command accepts. */
export interface GlobalArgs {
  readonly url?: string;
  readonly json: boolean;
  readonly color: boolean;
  readonly verbose: boolean;
  readonly dataDir?: string;
  readonly config?: string;
  readonly token?: string;
  readonly timeoutMs?: number;
}

/** Env var listing node URLs (comma separated) for client commands. */
export const URL_ENV_VAR = 'LOGCLUSTER_URL';

/** Output helpers bound to one invocation's options. */
export interface Output {
  readonly color: ChalkInstance;
  readonly json: boolean;
  /** One line on stdout. */
  line(text?: string): void;
  /** A value as JSON on stdout (one document). */
  data(value: unknown): void;
  /** A line on stderr (notes, progress that must not pollute piped data). */
  note(text: string): void;
}

/** Builds the output helpers: color only on a TTY, never with --no-color or NO_COLOR set. */
export function output(args: GlobalArgs): Output {
  const disabled = !args.color || (process.env.NO_COLOR ?? '') !== '';
  const forced = (process.env.FORCE_COLOR ?? '') !== '' && process.env.FORCE_COLOR !== '0';
  const color = new Chalk({ level: !disabled && (forced || process.stdout.isTTY) ? 1 : 0 });
  return {
    color,
    json: args.json,
    line: (text = '') => process.stdout.write(`${text}\n`),
    data: (value) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    note: (text) => process.stderr.write(`${text}\n`),
  };
}

/** The URLs from --url or LOGCLUSTER_URL, or null when neither is set. */
export function explicitUrls(args: GlobalArgs): string[] | null {
  const text = args.url ?? process.env[URL_ENV_VAR];
  if (!text) return null;
  const urls = text
    .split(',')
    .map((u) => u.trim().replace(/\/+$/, ''))
    .filter((u) => u !== '');
  for (const url of urls) {
    if (!/^https?:\/\/[^/]+/.test(url)) {
      throw new LogClusterError(
        'INVALID_OPTION',
        `--url must be http(s) URLs separated by commas (got "${url}")`,
        {
          option: 'url',
        },
      );
    }
  }
  return urls;
}

/** The configuration from --config / the default file / env, with --data-dir applied. */
export function clusterConfig(args: GlobalArgs): Promise<ResolvedClusterConfig> {
  return loadClusterConfig({
    configPath: args.config,
    flags: args.dataDir === undefined ? {} : { dataDir: args.dataDir },
    flagNames: { dataDir: '--data-dir' },
  });
}

/**
 * The node URLs a client command talks to: --url / LOGCLUSTER_URL, else the running cluster
 * recorded in the data directory, else the configured nodes (default 127.0.0.1:5001-5003).
 */
export async function clusterUrls(args: GlobalArgs): Promise<{ urls: string[]; token: string | undefined }> {
  const explicit = explicitUrls(args);
  const envToken = args.token ?? process.env.LOGCLUSTER_TOKEN;
  if (explicit) return { urls: explicit, token: envToken };
  const config = await clusterConfig(args);
  try {
    const cluster = await DetachedCluster.open(config.dataDir);
    const state = cluster.state;
    return { urls: state.nodes.map((n) => n.url), token: envToken ?? state.config.token ?? undefined };
  } catch (error) {
    if ((error as LogClusterError).code !== 'NOT_RUNNING') throw error;
  }
  return { urls: config.nodes.map((n) => n.url), token: envToken ?? config.token ?? undefined };
}

/**
 * Orders URLs leader first (highest term), then nodes that answer, then silent ones, after one
 * short /health round: a fresh client then never starts on a paused node and waits out its
 * timeout. One URL is returned as is.
 */
export async function leaderFirst(urls: readonly string[], token: string | undefined): Promise<string[]> {
  if (urls.length < 2) return [...urls];
  const probes = await probeNodes(urls, { token });
  const rank = (i: number): number => {
    const probe = probes[i];
    if (!probe.ok) return Number.MAX_SAFE_INTEGER;
    return probe.reply.role === 'leader' ? -probe.reply.term : probe.reply.status === 'unhealthy' ? 1 : 0;
  };
  return urls
    .map((url, i) => ({ url, rank: rank(i), i }))
    .sort((a, b) => a.rank - b.rank || a.i - b.i)
    .map((x) => x.url);
}

/** A client for the cluster a command talks to, leader first. Close it when done. */
export async function clusterClient(args: GlobalArgs): Promise<LogClusterClient> {
  const { urls, token } = await clusterUrls(args);
  return new LogClusterClient({
    nodes: await leaderFirst(urls, token),
    token,
    ...(args.timeoutMs === undefined ? {} : { timeoutMs: args.timeoutMs }),
  });
}

/** The cluster recorded in the data directory (NOT_RUNNING when none is). */
export async function recordedCluster(args: GlobalArgs): Promise<DetachedCluster> {
  const config = await clusterConfig(args);
  return DetachedCluster.open(config.dataDir);
}

/** Parses repeated `k=v` flags (labels, peers) into an object; names the flag when one is malformed. */
export function keyValues(
  flag: string,
  values: readonly string[] | undefined,
  separator = ',',
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of (values ?? []).flatMap((v) => v.split(separator))) {
    if (item.trim() === '') continue;
    const at = item.indexOf('=');
    if (at <= 0) {
      throw new LogClusterError('INVALID_OPTION', `${flag} expects key=value pairs (got "${item}")`, {
        option: flag,
      });
    }
    out[item.slice(0, at).trim()] = item.slice(at + 1).trim();
  }
  return out;
}
