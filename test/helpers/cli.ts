/**
 * Runs the BUILT CLI (dist/cli/index.js) as a user would, and gives each test its own detached
 * cluster (temp data dir, free base port) that teardown always removes: `logcluster stop`, then
 * SIGKILL of anything the state file still names.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';
import { execa, type Options, type Result } from 'execa';
import { freePortRange } from './free-port.js';

/** The built CLI entry. */
export const CLI_PATH = fileURLToPath(new URL('../../dist/cli/index.js', import.meta.url));
/** A CLI call that takes longer than this is hung (start waits for an election; stop for a grace). */
export const CLI_TIMEOUT_MS = 30_000;

/** Fails fast with the fix when the CLI has not been built. */
export function requireBuild(t: ExecutionContext): boolean {
  if (existsSync(CLI_PATH)) return true;
  t.fail(`${CLI_PATH} is missing: run "npx tsc -p tsconfig.json" (or npm run build) first`);
  return false;
}

/** Runs `node dist/cli/index.js ...args` without throwing on a non-zero exit; colors off. */
export function cli(args: readonly string[], options: Options = {}): Promise<Result> {
  return execa(process.execPath, [CLI_PATH, ...args], {
    reject: false,
    timeout: CLI_TIMEOUT_MS,
    ...options,
    env: { NO_COLOR: '1', LOGCLUSTER_URL: '', ...(options.env ?? {}) },
  }) as Promise<Result>;
}

/** Parses a command's stdout as JSON, failing the test with the command's output when it is not. */
export function json<T>(result: Result): T {
  try {
    return JSON.parse(String(result.stdout)) as T;
  } catch {
    throw new Error(
      `not JSON (exit ${result.exitCode}):\nstdout: ${result.stdout}\nstderr: ${result.stderr}`,
    );
  }
}

/** One node as `status --json` prints it. */
export interface StatusNode {
  id: string;
  url: string;
  role: string | null;
  term: number | null;
  commit_index: number | null;
  applied_index: number | null;
  health: string;
  voter: boolean | null;
  pid: number | null;
  process: string | null;
}

/** `status --json`. */
export interface Status {
  leader: string | null;
  term: number;
  nodes: StatusNode[];
}

/** A test's own cluster directory and ports; `run` adds --data-dir. */
export interface ClusterFixture {
  readonly dataDir: string;
  readonly basePort: number;
  run(args: readonly string[], options?: Options): Promise<Result>;
  status(): Promise<Status>;
  /** Polls status until `check` holds; returns that status or fails after timeoutMs. */
  waitFor(check: (status: Status) => boolean, timeoutMs: number, what: string): Promise<Status>;
  /** Pids the state file records now (empty when there is none). */
  recordedPids(): number[];
}

/** Bytes of each node's log shown when a test fails (the tail is where a crash is). */
const LOG_TAIL_BYTES = 3000;

/** Shows the tail of every node's log in the failed test's output. */
function logNodeOutput(t: ExecutionContext, dataDir: string): void {
  const logs = join(dataDir, 'logs');
  if (!existsSync(logs)) return;
  for (const name of readdirSync(logs)) {
    const text = readFileSync(join(logs, name), 'utf8');
    if (text.trim() !== '') t.log(`--- ${name} ---\n${text.slice(-LOG_TAIL_BYTES)}`);
  }
}

/** Poll period of waitFor: status is one cheap /health round. */
const STATUS_POLL_MS = 100;

/** Makes the fixture and registers its teardown. `nodes` consecutive ports are reserved. */
export async function clusterFixture(t: ExecutionContext, nodes = 3): Promise<ClusterFixture> {
  const dataDir = await mkdtemp(join(tmpdir(), 'lc-cli-'));
  const basePort = await freePortRange(nodes);
  const seen = new Set<number>();
  const recordedPids = (): number[] => {
    try {
      const state = JSON.parse(readFileSync(join(dataDir, 'cluster.json'), 'utf8')) as {
        nodes: { pid: number | null }[];
      };
      const pids = state.nodes.map((n) => n.pid).filter((p): p is number => p !== null);
      for (const pid of pids) seen.add(pid);
      return pids;
    } catch {
      return [];
    }
  };
  const run = (args: readonly string[], options?: Options) => {
    const result = cli([...args, '--data-dir', dataDir], options);
    void result.then(recordedPids);
    return result;
  };
  const status = async (): Promise<Status> => json<Status>(await run(['status', '--json']));
  t.teardown(async () => {
    if (!t.passed) logNodeOutput(t, dataDir);
    recordedPids();
    await run(['stop']);
    for (const pid of seen) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone: the normal case
      }
    }
    await rm(dataDir, { recursive: true, force: true });
  });
  return {
    dataDir,
    basePort,
    run,
    status,
    recordedPids,
    waitFor: async (check, timeoutMs, what) => {
      const deadline = Date.now() + timeoutMs;
      let last: Status | null = null;
      for (;;) {
        last = await status().catch(() => last);
        if (last && check(last)) return last;
        if (Date.now() >= deadline)
          throw new Error(`${what}: not within ${timeoutMs} ms; last status ${JSON.stringify(last)}`);
        await new Promise((resolve) => setTimeout(resolve, STATUS_POLL_MS));
      }
    },
  };
}
