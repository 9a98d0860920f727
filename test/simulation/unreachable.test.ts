/**
 * Raft.reportUnreachable under the simulator: every crash announced to the peers (as a killed
 * process's refused connections announce it), frequent wrong reports about live leaders (a flaky
 * link), and leaders crashed often. Invariants must hold, the liveness phase must converge, and
 * the reports must have been delivered (the mix has teeth only if they were).
 */
import test from 'ava';
import type { RunResult } from './run-result.js';
import { scenarioConfig } from './scenarios.js';
import { runSimulation } from './simulator.js';

/** Seeds per cluster size: a few seconds each. */
export const UNREACHABLE_SEEDS = 120;

for (const nodes of [3, 5]) {
  test(`${UNREACHABLE_SEEDS} seeds on ${nodes} nodes with every crash reported and frequent wrong reports`, async (t) => {
    const config = {
      ...scenarioConfig('default', nodes),
      faultTicks: 200,
      unreachableReportShare: 1,
      falseReportProbability: 0.1,
      leaderCrashProbability: 0.3,
    };
    const failures: RunResult[] = [];
    let reports = 0;
    let falseReports = 0;
    let notices = 0;
    for (let seed = 1; seed <= UNREACHABLE_SEEDS; seed++) {
      const result = await runSimulation(seed, config);
      if (!result.ok) failures.push(result);
      reports += result.stats.faults['unreachable-report'];
      falseReports += result.stats.faults['false-report'];
      notices += result.stats.network.notices;
    }
    for (const f of failures.slice(0, 3))
      t.log(`seed ${f.seed}: ${f.failure?.invariant} -- ${f.failure?.detail}`);
    t.deepEqual(
      failures.map((f) => f.seed),
      [],
    );
    t.true(reports > UNREACHABLE_SEEDS, `crashes were reported (${reports})`);
    t.true(notices > reports, `notices were delivered (${notices})`);
    t.true(falseReports > UNREACHABLE_SEEDS * 5, `wrong reports were made (${falseReports})`);
  });
}
