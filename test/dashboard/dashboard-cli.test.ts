/**
 * `logcluster dashboard` without a recorded cluster: --url serves a page watching those nodes,
 * with no control buttons, until SIGTERM; --no-serve only prints each node's page URL.
 */
import test from 'ava';
import { execa } from 'execa';
import { CLI_PATH, cli, json, requireBuild } from '../helpers/cli.js';

const NODES = 'http://127.0.0.1:5901,http://127.0.0.1:5902';

test('--url serves a page for those nodes, without controls, until SIGTERM', async (t) => {
  if (!requireBuild(t)) return;
  const child = execa(process.execPath, [CLI_PATH, 'dashboard', '--json', '--url', NODES], {
    reject: false,
    env: { NO_COLOR: '1' },
  });
  t.teardown(() => child.kill('SIGKILL'));
  const line = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve(text.split('\n')[0]);
    });
    void child.then((r) => reject(new Error(`exited: ${r.stderr}`)));
  });
  const printed = JSON.parse(line) as { url: string; control: boolean; nodes: string[] };
  t.false(printed.control);
  t.deepEqual(printed.nodes, NODES.split(','));
  const page = await (await fetch(printed.url)).text();
  const config = JSON.parse(/<script id="dashboard-config" type="application\/json">([^<]*)</.exec(page)![1]);
  t.deepEqual(config, { nodes: NODES.split(',') });
  child.kill('SIGTERM');
  const result = await child;
  t.is(result.exitCode, 0, String(result.stderr));
});

test('--no-serve prints every node page URL', async (t) => {
  if (!requireBuild(t)) return;
  const result = await cli(['dashboard', '--no-serve', '--json', '--url', NODES]);
  t.is(result.exitCode, 0, String(result.stderr));
  t.deepEqual(
    json<{ urls: string[] }>(result).urls,
    NODES.split(',').map((u) => `${u}/dashboard`),
  );
});
