/**
 * `--compare etcd`: a 3-member etcd on loopback free ports, data in a temporary folder, fsync on
 * (etcd's default), loaded through its HTTP JSON gateway the way logcluster is loaded. The
 * harness never installs etcd: it uses --etcd-bin or `etcd` on PATH.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants, mkdirSync, openSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { findFreePortRange } from '../cluster/preflight.js';
import { exitOf, killChild, trackPid } from './children.js';
import { JsonHttp, pollUntil } from './http.js';

/** Members of the comparison cluster: the same replication as logcluster's default. */
export const ETCD_MEMBERS = 3;
/** A fresh etcd cluster elects a leader in about a second; beyond this something is wrong. */
export const ETCD_START_TIMEOUT_MS = 20_000;
/** The key every benchmark put writes (etcd's own benchmark tool defaults to one key, too). */
export const ETCD_BENCH_KEY = 'logcluster-bench/key';

/** The etcd executable: `explicit` when given, else the first `etcd` on PATH; null when none. */
export function findEtcd(explicit?: string | null): string | null {
  const candidates = explicit
    ? [explicit]
    : (process.env.PATH ?? '')
        .split(delimiter)
        .filter((d) => d !== '')
        .map((d) => join(d, 'etcd'));
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return null;
}

/** `etcd --version`'s version number ("3.4.23"), or "unknown". */
export function etcdVersion(bin: string): string {
  const run = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return /etcd Version:\s*(\S+)/.exec(run.stdout ?? '')?.[1] ?? 'unknown';
}

/** A running 3-member etcd. */
export class EtcdCluster {
  readonly clientUrls: readonly string[];
  readonly #children: ChildProcess[];
  readonly #http = new JsonHttp();

  private constructor(clientUrls: string[], children: ChildProcess[]) {
    this.clientUrls = clientUrls;
    this.#children = children;
  }

  /** Starts the members with data under `dir` and resolves once they agree on a leader. */
  static async start(bin: string, dir: string): Promise<EtcdCluster> {
    const host = '127.0.0.1';
    const base = await findFreePortRange(host, ETCD_MEMBERS * 2);
    const names = Array.from({ length: ETCD_MEMBERS }, (_, i) => `m${i + 1}`);
    const peerUrl = (i: number) => `http://${host}:${base + ETCD_MEMBERS + i}`;
    const clientUrls = names.map((_, i) => `http://${host}:${base + i}`);
    const initial = names.map((n, i) => `${n}=${peerUrl(i)}`).join(',');
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ETCD')));
    mkdirSync(dir, { recursive: true });
    const children = names.map((name, i) => {
      const log = openSync(join(dir, `${name}.log`), 'a');
      const child = spawn(
        bin,
        [
          `--name=${name}`,
          `--data-dir=${join(dir, name)}`,
          `--listen-client-urls=${clientUrls[i]}`,
          `--advertise-client-urls=${clientUrls[i]}`,
          `--listen-peer-urls=${peerUrl(i)}`,
          `--initial-advertise-peer-urls=${peerUrl(i)}`,
          `--initial-cluster=${initial}`,
          '--initial-cluster-state=new',
          '--initial-cluster-token=logcluster-bench',
          '--logger=zap',
          '--log-level=error',
        ],
        { env, stdio: ['ignore', log, log] },
      );
      closeSync(log);
      if (child.pid !== undefined) child.once('exit', trackPid(child.pid, `etcd ${name}`));
      return child;
    });
    const cluster = new EtcdCluster(clientUrls, children);
    try {
      await cluster.leaderUrl(ETCD_START_TIMEOUT_MS);
    } catch (error) {
      await cluster.stop();
      throw new Error(`etcd did not elect a leader (logs in ${dir}): ${(error as Error).message}`);
    }
    return cluster;
  }

  /** Every member's process id; null when one did not start or has exited. */
  pids(): number[] | null {
    const alive = this.#children.every(
      (c) => c.pid !== undefined && c.exitCode === null && c.signalCode === null,
    );
    return alive ? this.#children.map((c) => c.pid as number) : null;
  }

  /** The client URL of the member that is the leader, once every member agrees on one (polled). */
  leaderUrl(timeoutMs: number): Promise<string> {
    return pollUntil(
      'an etcd leader',
      async () => {
        if (this.#children.some((c) => c.exitCode !== null || c.signalCode !== null)) {
          throw new Error('an etcd member exited');
        }
        const replies = await Promise.all(
          this.clientUrls.map((url) => this.#http.call('POST', `${url}/v3/maintenance/status`, {}, 1_000)),
        );
        const leaders = new Set(replies.map((r) => r.body?.leader));
        const [leader] = leaders;
        if (leaders.size !== 1 || typeof leader !== 'string' || leader === '0') return null;
        const at = replies.findIndex((r) => (r.body?.header as { member_id?: string })?.member_id === leader);
        return at >= 0 ? this.clientUrls[at] : null;
      },
      timeoutMs,
      50,
    );
  }

  /** SIGKILLs every member (its data is thrown away) and waits for them to exit. */
  async stop(): Promise<void> {
    this.#http.close();
    await Promise.all(this.#children.map((c) => killChild(c)));
    await Promise.all(this.#children.map((c) => exitOf(c)));
  }
}

/** POST /v3/kv/put body: the benchmark key and a `valueBytes` value, base64 as the gateway wants. */
export function etcdPutBody(valueBytes: number): string {
  return JSON.stringify({
    key: Buffer.from(ETCD_BENCH_KEY).toString('base64'),
    value: Buffer.alloc(valueBytes, 'x').toString('base64'),
  });
}

/** POST /v3/kv/range body for the benchmark key (linearizable: etcd's default). */
export function etcdRangeBody(): string {
  return JSON.stringify({ key: Buffer.from(ETCD_BENCH_KEY).toString('base64') });
}
