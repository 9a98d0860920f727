/**
 * Cold start: the built CLI's `logcluster start --detach` on an empty data directory, timed from
 * spawning the command to its exit (it returns once a leader is elected), as a user or a CI job
 * sees it. Each run's cluster is stopped with `logcluster stop`, and killed by pid if that fails.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DetachedCluster } from '../cluster/detached-cluster.js';
import { findFreePortRange } from '../cluster/preflight.js';
import { readClusterState } from '../cluster/state-file.js';
import { trackPid } from './children.js';
import type { BenchContext } from './context.js';
import type { ColdStartResult } from './report.js';
import { summarize } from './stats.js';

/** A CLI call that takes longer than this is hung (start waits for an election, stop for a grace). */
export const CLI_TIMEOUT_MS = 60_000;

/** The built CLI of this package: dist/cli/index.js (found from dist/lib/bench or lib/bench). */
export function defaultCliPath(): string {
  const fromDist = extname(fileURLToPath(import.meta.url)) === '.js';
  return fileURLToPath(new URL(fromDist ? '../../cli/index.js' : '../../dist/cli/index.js', import.meta.url));
}

/** Runs `node <cli> ...args` with a clean environment; resolves with its exit code and output. */
function runCli(cli: string, args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LOGCLUSTER_')));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd,
      env: { ...env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), CLI_TIMEOUT_MS);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Times options.runs cold starts; null (with a note) when the CLI is not built. */
export async function runColdStart(ctx: BenchContext): Promise<ColdStartResult | null> {
  const cli = ctx.options.cliPath ?? defaultCliPath();
  if (!existsSync(cli)) {
    ctx.note(`cold start skipped: ${cli} is missing (run npm run build)`);
    return null;
  }
  const times: number[] = [];
  for (let run = 1; run <= ctx.options.runs; run++) {
    ctx.checkpoint();
    const dir = mkdtempSync(join(ctx.root, 'cold-'));
    const basePort = await findFreePortRange('127.0.0.1', 3);
    const stop = ctx.teardown.defer(`cold-start cluster ${dir}`, async () => {
      const stopped = await runCli(cli, ['stop', '--data-dir', dir], dir);
      if (stopped.code !== 0) await (await DetachedCluster.open(dir)).stop().catch(() => undefined);
    });
    const started = performance.now();
    const result = await runCli(
      cli,
      ['start', '--detach', '--base-port', String(basePort), '--data-dir', dir, '--json'],
      dir,
    );
    const ms = performance.now() - started;
    const untrack = await readClusterState(dir).then(
      (state) => state.nodes.filter((n) => n.pid !== null).map((n) => trackPid(n.pid!, `cold-start ${n.id}`)),
      () => [],
    );
    try {
      if (result.code !== 0)
        throw new Error(`logcluster start --detach failed (exit ${result.code}): ${result.output.trim()}`);
      times.push(ms);
      ctx.progress(`cold start run ${run}/${ctx.options.runs}: leader elected after ${ms.toFixed(0)} ms`);
    } finally {
      await stop();
      for (const u of untrack) u();
    }
  }
  return { ms: summarize(times) };
}
