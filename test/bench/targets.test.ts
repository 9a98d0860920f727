import test from 'ava';
import { resolveBenchOptions } from '../../lib/bench/options.js';
import type { BenchReport, LoadRow } from '../../lib/bench/report.js';
import { summarize } from '../../lib/bench/stats.js';
import { benchMarkdown } from '../../lib/bench/tables.js';
import { checkTargets, ratiosOf } from '../../lib/bench/targets.js';

function row(
  scenario: LoadRow['scenario'],
  target: LoadRow['target'],
  connections: number,
  rate: number,
  p99 = 10,
): LoadRow {
  return {
    scenario,
    target,
    connections,
    unit: scenario === 'batch' ? 'entries/s' : 'req/s',
    rate: summarize([rate, rate * 0.9, rate * 1.1]),
    p50Ms: summarize([p99 / 4]),
    p99Ms: summarize([p99]),
    p999Ms: summarize([p99 * 2]),
    errors: 0,
    statuses: { 200: 3 },
  };
}

const rows: LoadRow[] = [
  row('write', 'logcluster', 1, 1_300, 2),
  row('write', 'etcd', 1, 1_000, 3),
  row('write', 'logcluster', 16, 7_000, 12),
  row('write', 'etcd', 16, 4_000, 10),
  row('write', 'bare-http', 16, 70_000, 1),
  row('batch', 'logcluster', 16, 150_000),
  row('read-local', 'logcluster', 16, 20_000),
  row('read-local', 'bare-http', 16, 50_000),
  row('query', 'logcluster', 1, 100, 40),
];

test('goals are met, not met, or not measured', (t) => {
  const checks = checkTargets({ rows, queryLoad: null, failover: null, coldStart: null, reopen: null });
  const status = (prefix: string) => checks.find((c) => c.goal.startsWith(prefix))?.met;
  t.is(status('single-entry writes c=1: >= 1.2x'), true); // 1.3x
  t.is(status('single-entry writes c=16: >= 2x'), false); // 1.75x
  t.is(status('single-entry writes c=64'), null);
  t.is(status('single-entry writes c=1: p99'), true);
  t.is(status('single-entry writes c=16: p99'), false);
  t.is(status('batched writes'), true);
  t.is(status('local reads'), false); // 40% of the ceiling
  t.is(status('level-filtered query'), true); // p50 10 ms
  t.is(status('failover'), null);
  t.is(status('cold start'), null);
});

test('failover is met only when every round recovered within 1 s', (t) => {
  const failover = { rounds: 3, recoveryMs: [400, 990, null], p50Ms: 990, maxMs: 15_000, logEntries: 10 };
  const [check] = checkTargets({ rows: [], queryLoad: null, failover, coldStart: null, reopen: null }).filter(
    (c) => c.goal.startsWith('failover'),
  );
  t.false(check.met);
  const ok = { ...failover, recoveryMs: [400, 990, 500] };
  t.true(
    checkTargets({ rows: [], queryLoad: null, failover: ok, coldStart: null, reopen: null }).find((c) =>
      c.goal.startsWith('failover'),
    )?.met,
  );
});

test('ratios pair logcluster with etcd and the bare ceiling at the same concurrency', (t) => {
  const ratios = Object.fromEntries(ratiosOf(rows).map((r) => [r.name, r.value]));
  t.is(ratios['write c=16 throughput / etcd'], 7_000 / 4_000);
  t.is(ratios['write c=16 p99 / etcd p99'], 1.2);
  t.is(ratios['write c=16 throughput / bare node:http'], 0.1);
  t.is(ratios['read-local c=16 throughput / bare node:http'], 0.4);
  t.false('write c=1 throughput / bare node:http' in ratios);
});

test('markdown tables carry every row and escape pipes', (t) => {
  const report: BenchReport = {
    version: 1,
    startedAt: '',
    finishedAt: '',
    machine: {
      cpus: 2,
      cpuModel: 'x',
      memoryGiB: 1,
      node: 'v20',
      platform: 'linux',
      kernel: '6',
      disk: 'ext4',
      loadAverageStart: [],
      loadAverageEnd: [],
    },
    options: resolveBenchOptions({ quick: true }),
    rows,
    etcdVersion: null,
    source: null,
    disk: null,
    queryLoad: null,
    failover: null,
    coldStart: null,
    reopen: null,
    ratios: [{ name: 'a|b', value: 2 }],
    targets: [],
    notes: [],
  };
  const md = benchMarkdown(report);
  t.regex(md, /\| write \| logcluster \| 16 \| 7,000 \| req\/s \|/);
  t.true(md.includes('a\\|b'));
  t.is(md.split('\n').filter((l) => l.startsWith('| write')).length, 5);
});
