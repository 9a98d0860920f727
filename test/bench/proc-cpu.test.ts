import { existsSync } from 'node:fs';
import test from 'ava';
import { type Cell, runCells } from '../../lib/bench/cells.js';
import type { LoadGenerator } from '../../lib/bench/load-generator.js';
import type { LoadResult } from '../../lib/bench/load-protocol.js';
import {
  clockTicksPerSec,
  cpuUsPerOp,
  parseStatTicks,
  processCpuUs,
  processesCpuUs,
} from '../../lib/bench/proc-cpu.js';
import type { BenchReport } from '../../lib/bench/report.js';
import { benchMarkdown } from '../../lib/bench/tables.js';

const withProc = existsSync('/proc/self/stat') ? test : test.skip;

/** Spins until this process has used `cpuUs` more CPU time (user + system). */
function burnCpu(cpuUs: number): void {
  const start = process.cpuUsage();
  for (;;) {
    const used = process.cpuUsage(start);
    if (used.user + used.system >= cpuUs) return;
  }
}

test('parseStatTicks adds utime and stime, counting fields after the last parenthesis', (t) => {
  // pid (comm with ") (" in it) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
  const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194560 900 0 3 0 1234 56 7 8 20 0 11 0';
  t.is(parseStatTicks(stat), 1290);
  t.is(parseStatTicks('not a stat line'), null);
  t.is(parseStatTicks('1 (x) S 1 2'), null);
});

test('cpuUsPerOp divides the CPU between two readings by the operations', (t) => {
  t.is(cpuUsPerOp(1_000, 31_000, 300), 100);
  t.is(cpuUsPerOp(null, 31_000, 300), null);
  t.is(cpuUsPerOp(1_000, null, 300), null);
  t.is(cpuUsPerOp(1_000, 31_000, 0), null);
  t.is(cpuUsPerOp(31_000, 1_000, 10), null, 'a pid reused between readings must not give a negative figure');
});

test('unknown pids read as null', (t) => {
  t.is(processesCpuUs(null), null);
  t.is(processesCpuUs([]), null);
  t.is(processCpuUs(Number.MAX_SAFE_INTEGER), null);
  t.is(processesCpuUs([process.pid, Number.MAX_SAFE_INTEGER]), null);
});

withProc('this process: /proc CPU time follows a busy loop', (t) => {
  t.is(clockTicksPerSec(), 100);
  const before = processCpuUs(process.pid);
  const usage = process.cpuUsage();
  burnCpu(300_000);
  const after = processCpuUs(process.pid);
  const used = process.cpuUsage(usage);
  t.not(before, null);
  t.not(after, null);
  const procUs = (after as number) - (before as number);
  // Ticks are 10 ms; allow a few of them either side of what Node itself measured.
  t.true(
    Math.abs(procUs - (used.user + used.system)) <= 50_000,
    `/proc ${procUs} µs, node ${used.user + used.system} µs`,
  );
  t.is(processesCpuUs([process.pid, process.pid]) !== null, true);
});

withProc(
  'runCells reports the CPU per request and per entry of the cell pids, null without pids',
  async (t) => {
    const requests = 100;
    const result: LoadResult = {
      ok: requests,
      errors: 0,
      statuses: { '200': requests },
      durationSec: 0.2,
      perSec: requests / 0.2,
      latencyUs: { p50: 1_000, p99: 2_000, p999: 3_000, mean: 1_100, max: 3_000 },
    };
    // The "server" is this process: each run burns 200 ms of CPU, 2,000 µs per request.
    const gen = {
      run: async () => {
        burnCpu(200_000);
        return result;
      },
    } as unknown as LoadGenerator;
    const job = () => ({ kind: 'http', origin: 'http://127.0.0.1:1', method: 'POST', paths: ['/'] }) as never;
    const cells: Cell[] = [
      {
        scenario: 'batch',
        target: 'logcluster',
        connections: 1,
        entriesPerRequest: 10,
        job,
        pids: () => [process.pid],
      },
      { scenario: 'write', target: 'bare-http', connections: 1, entriesPerRequest: 1, job },
    ];
    const plan = { runs: 2, durationSec: 0.2, warmupSec: 0, progress: () => {}, checkpoint: () => {} };
    const [measured, unmeasured] = await runCells(gen, cells, plan);
    const perRequest = measured.cpuUsPerRequest?.median ?? Number.NaN;
    t.true(perRequest >= 1_500 && perRequest <= 2_600, `${perRequest} µs/req`);
    t.is(measured.cpuUsPerRequest?.runs.length, 2);
    t.is(measured.cpuUsPerEntry?.median, perRequest / 10);
    t.is(unmeasured.cpuUsPerRequest, null);
    const md = benchMarkdown({
      rows: [measured, unmeasured],
      options: { runs: 2, durationSec: 0.2 },
      ratios: [],
      targets: [],
    } as unknown as BenchReport);
    t.regex(md, /cpu µs\/req/);
    t.regex(md, /\| [\d,]+ \(\d+\.\d\/entry\) \|/);
    t.regex(md, /\| bare-http \|.*\| - \| 0 \|/);
  },
);
