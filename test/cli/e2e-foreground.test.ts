import { existsSync } from 'node:fs';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { execa, type ResultPromise } from 'execa';
import { processStatus, waitForExit } from '../../lib/cluster/pids.js';
import { CLI_PATH, type ClusterFixture, clusterFixture, requireBuild } from '../helpers/cli.js';

/** A foreground start prints the table within this (3 spawns and an election on 2 busy cores). */
const START_DEADLINE_MS = 20_000;
/** Ctrl-C stops every node gracefully well within this. */
const STOP_DEADLINE_MS = 10_000;

/** Starts `logcluster start` in the foreground and collects its stdout lines and its stderr. */
function foreground(
  t: ExecutionContext,
  fx: ClusterFixture,
): { child: ResultPromise; lines: string[]; stderr: string[] } {
  const child = execa(
    process.execPath,
    [CLI_PATH, 'start', '--base-port', String(fx.basePort), '--data-dir', fx.dataDir],
    {
      reject: false,
      env: { NO_COLOR: '1' },
      buffer: false,
    },
  );
  t.teardown(() => {
    child.kill('SIGKILL');
  });
  const lines: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) =>
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)),
  );
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  return { child, lines, stderr };
}

async function waitForLine(lines: string[], pattern: RegExp, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = lines.find((l) => pattern.test(l));
    if (line) return line;
    if (Date.now() >= deadline) throw new Error(`no line matching ${pattern} in:\n${lines.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('foreground start: live events, fail/recover from another terminal, Ctrl-C stops everything', async (t) => {
  if (!requireBuild(t)) return;
  const fx = await clusterFixture(t, 3);
  const { child, lines, stderr } = foreground(t, fx);
  await waitForLine(lines, /^leader: node\d/, START_DEADLINE_MS);
  t.truthy(
    lines.find((l) => / leader +node\d \(term \d+\)/.test(l)),
    'a leader event was printed',
  );
  const status = await fx.waitFor((s) => s.leader !== null, 3000, 'a leader in status');
  const pids = fx.recordedPids();
  t.is(pids.length, 3);

  const victim = status.nodes.find((n) => n.role === 'follower')!.id;
  t.is((await fx.run(['fail', victim, '--mode', 'kill'])).exitCode, 0);
  await waitForLine(lines, new RegExp(`node-down +${victim}`), 3000);
  const recovered = await fx.run(['recover', victim]);
  t.is(recovered.exitCode, 0, recovered.stderr as string);
  await waitForLine(lines, new RegExp(`node-up +${victim}`), 5000);

  child.kill('SIGINT');
  const result = await child;
  t.is(result.exitCode, 0, `stdout:\n${lines.join('\n')}\nstderr:\n${stderr.join('')}`);
  t.true(await waitForExit([...pids, ...fx.recordedPids()], STOP_DEADLINE_MS));
  t.false(existsSync(join(fx.dataDir, 'cluster.json')));
});

test('nodes die with a foreground CLI that is SIGKILLed', async (t) => {
  if (!requireBuild(t)) return;
  const fx = await clusterFixture(t, 3);
  const { child, lines } = foreground(t, fx);
  await waitForLine(lines, /^leader: node\d/, START_DEADLINE_MS);
  const pids = fx.recordedPids();
  t.is(pids.length, 3);
  t.true(pids.every((pid) => processStatus(pid) === 'running'));
  child.kill('SIGKILL');
  await child;
  t.true(await waitForExit(pids, STOP_DEADLINE_MS), 'every node exits when its parent is gone');
});
