/**
 * Issue 7's goals, checked against one report: the ratios to etcd and to the bare node:http
 * ceiling measured in the same run, and the absolute bounds. A goal whose inputs were not
 * measured in this run is reported with `met: null`.
 */
import type { BenchReport, BenchTarget, LoadRow, LoadScenario, Ratio, TargetCheck } from './report.js';

type Inputs = Pick<BenchReport, 'rows' | 'queryLoad' | 'failover' | 'coldStart' | 'reopen'>;

function row(rows: readonly LoadRow[], scenario: LoadScenario, target: BenchTarget, c: number) {
  return rows.find((r) => r.scenario === scenario && r.target === target && r.connections === c);
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** logcluster over etcd and over the bare ceiling, wherever both were measured. */
export function ratiosOf(rows: readonly LoadRow[]): Ratio[] {
  const out: Ratio[] = [];
  for (const r of rows.filter((x) => x.target === 'logcluster')) {
    const name = `${r.scenario} c=${r.connections}`;
    const etcdScenario = r.scenario === 'read-local' ? null : r.scenario;
    const etcd = etcdScenario ? row(rows, etcdScenario, 'etcd', r.connections) : undefined;
    if (etcd && etcd.rate.median > 0) {
      out.push({ name: `${name} throughput / etcd`, value: r.rate.median / etcd.rate.median });
      if (etcd.p99Ms.median > 0)
        out.push({ name: `${name} p99 / etcd p99`, value: r.p99Ms.median / etcd.p99Ms.median });
    }
    const bareScenario =
      r.scenario === 'write' ? 'write' : r.scenario.startsWith('read') ? 'read-local' : null;
    const bare = bareScenario ? row(rows, bareScenario, 'bare-http', r.connections) : undefined;
    if (bare && bare.rate.median > 0)
      out.push({ name: `${name} throughput / bare node:http`, value: r.rate.median / bare.rate.median });
  }
  return out;
}

function vsEtcd(rows: readonly LoadRow[], scenario: LoadScenario, c: number, factor: number): TargetCheck {
  const lc = row(rows, scenario, 'logcluster', c);
  const etcd = row(rows, scenario, 'etcd', c);
  const goal = `${scenario === 'write' ? 'single-entry writes' : 'linearizable reads'} c=${c}: >= ${factor}x etcd`;
  if (!lc || !etcd) return { goal, measured: 'not measured', met: null };
  const ratio = lc.rate.median / etcd.rate.median;
  return {
    goal,
    measured: `${fmt(lc.rate.median)} vs ${fmt(etcd.rate.median)} req/s = ${fmt(ratio, 2)}x`,
    met: ratio >= factor,
  };
}

function p99VsEtcd(rows: readonly LoadRow[], c: number): TargetCheck {
  const lc = row(rows, 'write', 'logcluster', c);
  const etcd = row(rows, 'write', 'etcd', c);
  const goal = `single-entry writes c=${c}: p99 <= etcd's`;
  if (!lc || !etcd) return { goal, measured: 'not measured', met: null };
  return {
    goal,
    measured: `${fmt(lc.p99Ms.median, 2)} vs ${fmt(etcd.p99Ms.median, 2)} ms`,
    met: lc.p99Ms.median <= etcd.p99Ms.median,
  };
}

function atLeast(
  goal: string,
  value: number | undefined,
  bound: number,
  unit: string,
  digits = 0,
): TargetCheck {
  if (value === undefined) return { goal, measured: 'not measured', met: null };
  return { goal, measured: `${fmt(value, digits)} ${unit}`, met: value >= bound };
}

function below(
  goal: string,
  value: number | undefined,
  bound: number,
  unit: string,
  digits = 0,
): TargetCheck {
  if (value === undefined) return { goal, measured: 'not measured', met: null };
  return { goal, measured: `${fmt(value, digits)} ${unit}`, met: value < bound };
}

/** Every goal of issue 7's "Done when", evaluated on this run. */
export function checkTargets(report: Inputs): TargetCheck[] {
  const rows = report.rows;
  const bestBatch = Math.max(
    ...rows.filter((r) => r.scenario === 'batch' && r.target === 'logcluster').map((r) => r.rate.median),
  );
  const local = rows.filter((r) => r.scenario === 'read-local' && r.target === 'logcluster');
  const localShare = local
    .map((r) => {
      const bare = row(rows, 'read-local', 'bare-http', r.connections);
      return bare ? r.rate.median / bare.rate.median : undefined;
    })
    .filter((x): x is number => x !== undefined);
  const linearizable = rows.filter((r) => r.scenario === 'read-linearizable' && r.target === 'logcluster');
  const failover = report.failover;
  const failoverCheck: TargetCheck = failover
    ? {
        goal: `failover: writes again within 1 s after each of ${failover.rounds} leader kills`,
        measured: `p50 ${fmt(failover.p50Ms)} ms, max ${fmt(failover.maxMs)} ms`,
        met: failover.recoveryMs.every((ms) => ms !== null && ms < 1000),
      }
    : {
        goal: 'failover: writes again within 1 s after each leader kill',
        measured: 'not measured',
        met: null,
      };
  const reopenMs = report.reopen
    ? Math.max(report.reopen.toLeaderMs.median, report.reopen.toAppliedMs.median)
    : undefined;
  return [
    vsEtcd(rows, 'write', 1, 1.2),
    vsEtcd(rows, 'write', 16, 2),
    vsEtcd(rows, 'write', 64, 2),
    p99VsEtcd(rows, 1),
    p99VsEtcd(rows, 16),
    p99VsEtcd(rows, 64),
    atLeast(
      'batched writes: >= 100,000 entries/s',
      Number.isFinite(bestBatch) ? bestBatch : undefined,
      100_000,
      'entries/s',
    ),
    ...linearizable.map((r) => vsEtcd(rows, 'read-linearizable', r.connections, 1)),
    atLeast(
      'local reads: >= 50% of the bare node:http ceiling',
      localShare.length > 0 ? Math.min(...localShare) * 100 : undefined,
      50,
      '% (worst concurrency)',
    ),
    below(
      `level-filtered query over ${report.queryLoad ? fmt(report.queryLoad.storedEntries) : '1,000,000'} entries: median < 50 ms`,
      row(rows, 'query', 'logcluster', 1)?.p50Ms.median,
      50,
      'ms',
      2,
    ),
    failoverCheck,
    below('cold start (start --detach) to leader: < 1.5 s', report.coldStart?.ms.median, 1500, 'ms'),
    below(
      `reopen ${report.reopen ? `${fmt(report.reopen.bytes / 1e6)} MB` : '1 GB'} of log: < 2 s (leader and all applied)`,
      reopenMs,
      2000,
      'ms',
    ),
  ];
}
