import { fileURLToPath } from 'node:url';
import test from 'ava';
import { execa } from 'execa';
import { clusterFixture, requireBuild } from '../helpers/cli.js';

/** An example that takes longer than this is broken (each does a handful of writes). */
const EXAMPLE_TIMEOUT_MS = 60_000;

function example(name: string): string {
  return fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));
}

/** Runs an example the way its header says: with tsx. */
function runExample(name: string, args: string[] = [], env: Record<string, string> = {}) {
  return execa(process.execPath, ['--import', 'tsx', example(name), ...args], {
    reject: false,
    timeout: EXAMPLE_TIMEOUT_MS,
    env,
  });
}

test('embed-single-node writes and reads back', async (t) => {
  const result = await runExample('embed-single-node.ts');
  t.is(result.exitCode, 0, String(result.stderr));
  t.regex(String(result.stdout), /stored log_\d{20}\.json at index \d+/);
  t.regex(String(result.stdout), /read back: hello from an embedded node/);
});

test('in-process-failover observes a new leader and keeps the first entry', async (t) => {
  const result = await runExample('in-process-failover.ts');
  t.is(result.exitCode, 0, String(result.stderr));
  const out = String(result.stdout);
  const first = /leader elected: (node\d)/.exec(out)?.[1];
  const next = /new leader (node\d) after \d+ ms/.exec(out)?.[1];
  t.truthy(first);
  t.truthy(next);
  t.not(first, next);
  t.regex(out, /the first entry survived: "written before the failover"/);
});

test('client-app writes a batch and queries it against a detached cluster', async (t) => {
  if (!requireBuild(t)) return;
  const fx = await clusterFixture(t, 3);
  const started = await fx.run(['start', '--detach', '--base-port', String(fx.basePort)]);
  t.is(started.exitCode, 0, String(started.stderr));
  const urls = [0, 1, 2].map((i) => `http://127.0.0.1:${fx.basePort + i}`).join(',');
  const result = await runExample('client-app.ts', [urls]);
  t.is(result.exitCode, 0, String(result.stderr));
  t.regex(String(result.stdout), /stored 3 entries/);
  t.regex(String(result.stdout), /WARN payment declined/);
  t.regex(String(result.stdout), /ERROR inventory service timeout/);
  t.regex(String(result.stdout), /3 entries in this run, 2 of them warnings or worse/);
});
