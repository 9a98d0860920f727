/**
 * The CLI never prints the token or the cluster secret: a detached cluster started with both
 * (from env vars), then used through write, read, stats, status and a failing call with a
 * wrong token, shows neither in any stdout, stderr or node log. The state file that must hold
 * them (so stop/status can reach the nodes) is readable by its owner only.
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { clusterFixture, requireBuild } from '../helpers/cli.js';

test('no token or secret in any CLI output or node log', async (t) => {
  if (!requireBuild(t)) return;
  const token = `cli-tok-${randomBytes(10).toString('hex')}`;
  const secret = `cli-sec-${randomBytes(10).toString('hex')}`;
  const wrong = `cli-wrong-${randomBytes(10).toString('hex')}`;
  const cluster = await clusterFixture(t, 3);
  const env = { LOGCLUSTER_TOKEN: token, LOGCLUSTER_CLUSTER_SECRET: secret };
  const outputs: string[] = [];
  const run = async (args: string[]) => {
    const result = await cluster.run(args, { env });
    outputs.push(`${result.stdout}\n${result.stderr}`);
    return result;
  };
  const started = await run(['start', '--detach', '--base-port', String(cluster.basePort)]);
  t.is(started.exitCode, 0, String(started.stderr));
  const written = await run(['write', 'secret-free message', '--json']);
  t.is(written.exitCode, 0, String(written.stderr));
  const { id } = JSON.parse(String(written.stdout)) as { id: string };
  t.is((await run(['read', id])).exitCode, 0);
  t.is((await run(['stats'])).exitCode, 0);
  t.is((await run(['status', '--json', '--verbose'])).exitCode, 0);
  const refused = await run(['write', 'refused', '--token', wrong, '--verbose']);
  t.not(refused.exitCode, 0, 'a wrong token is refused');
  t.regex(String(refused.stderr), /UNAUTHORIZED|token/i);

  const stateFile = join(cluster.dataDir, 'cluster.json');
  t.is((await stat(stateFile)).mode & 0o077, 0, 'the state file (which holds them) is private');
  const logs = join(cluster.dataDir, 'logs');
  for (const file of await readdir(logs)) outputs.push(await readFile(join(logs, file), 'utf8'));
  await run(['stop']);
  const everything = outputs.join('\n');
  t.true(everything.includes('secret-free message'), 'the outputs were captured');
  for (const [name, value] of [
    ['token', token],
    ['cluster secret', secret],
    ['wrong token', wrong],
  ] as const) {
    t.false(everything.includes(value), `the ${name} was printed`);
  }
});
