import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import test from 'ava';
import { runBenchmark } from '../../lib/bench/run.js';

/**
 * Live processes whose parent is this process (the benchmark's helpers and nodes), by command
 * line; the loader's own helper (tsx's esbuild service) is not the benchmark's.
 */
function children(): string[] {
  const out: string[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) !== process.pid || fields[0] === 'Z') continue;
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (!cmdline.includes('esbuild')) out.push(cmdline);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function leftovers(): string[] {
  return readdirSync(tmpdir()).filter((n) => n.startsWith('logcluster-bench-'));
}

test.serial(
  'the baselines: disk fdatasync rate and the bare node:http ceiling, then nothing left',
  async (t) => {
    const before = new Set(leftovers());
    const lines: string[] = [];
    const report = await runBenchmark(
      { only: ['baseline'], durationSec: 0.3, runs: 1 },
      { onProgress: (l) => lines.push(l) },
    );
    t.truthy(report.disk);
    t.true(report.disk!.fsyncPerSec.median > 0);
    const bare = report.rows.filter((r) => r.target === 'bare-http' && r.scenario === 'write');
    t.deepEqual(
      bare.map((r) => r.connections),
      [1, 16, 64, 256],
    );
    for (const r of bare) {
      t.true(r.rate.median > 100, `c=${r.connections}: ${r.rate.median} req/s`);
      t.is(r.errors, 0);
      t.true(r.p50Ms.median > 0 && r.p50Ms.median <= r.p99Ms.median);
      // The bare server's own pid is read from /proc: some CPU per request, far below a ms.
      const cpuUs = r.cpuUsPerRequest?.median ?? Number.NaN;
      t.true(cpuUs > 0 && cpuUs < 1_000, `c=${r.connections}: ${cpuUs} cpu µs/req`);
    }
    t.true(lines.some((l) => l.startsWith('disk run 1/1')));
    t.deepEqual(children(), []);
    t.deepEqual(
      leftovers().filter((n) => !before.has(n)),
      [],
    );
  },
);

test.serial('an aborted run stops every process it started and rejects', async (t) => {
  const controller = new AbortController();
  const run = runBenchmark(
    { only: ['baseline'], durationSec: 2, runs: 3 },
    {
      signal: controller.signal,
      onProgress: (line) => {
        if (line.startsWith('disk run 1/')) controller.abort();
      },
    },
  );
  await t.throwsAsync(run, { message: /interrupted|exited|load/ });
  t.deepEqual(children(), []);
});

test.serial('single-entry writes against a real 3-node cluster', async (t) => {
  const report = await runBenchmark({ only: ['write'], durationSec: 0.3, runs: 1 });
  const rows = report.rows.filter((r) => r.target === 'logcluster');
  t.deepEqual(
    rows.map((r) => r.connections),
    [1, 16, 64, 256],
  );
  for (const r of rows) {
    t.true(r.rate.median > 0, `c=${r.connections}`);
    t.is(r.errors, 0, JSON.stringify(r.statuses));
    t.true((r.cpuUsPerRequest?.median ?? 0) > 0, `c=${r.connections}: the 3 nodes' CPU per request`);
  }
  t.is(report.targets.find((c) => c.goal.startsWith('single-entry writes c=16: >= 2x'))?.met, null);
  t.deepEqual(children(), []);
});
