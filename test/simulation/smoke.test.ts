/**
 * CI smoke: a few hundred seeds of the default fault mix for 3 and for 5 nodes. The full
 * 10,000-seed runs are `npm run sim -- --seeds 10000 [--nodes 5]` (docs/simulation.md).
 */
import test from 'ava';
import type { RunResult } from './run-result.js';
import { scenarioConfig } from './scenarios.js';
import { runSimulation } from './simulator.js';

/** Seeds per cluster size in CI: enough to cross every fault kind many times, in seconds. */
export const SMOKE_SEEDS = 200;

/** Shorter fault phase than the default, so the smoke stays fast. */
const SMOKE_TICKS = 200;

for (const nodes of [3, 5]) {
  test(`${SMOKE_SEEDS} seeds on ${nodes} nodes keep every invariant`, async (t) => {
    const config = { ...scenarioConfig('default', nodes), faultTicks: SMOKE_TICKS };
    const failures: RunResult[] = [];
    let acknowledged = 0;
    let crashes = 0;
    let partitions = 0;
    for (let seed = 1; seed <= SMOKE_SEEDS; seed++) {
      const result = await runSimulation(seed, config);
      if (!result.ok) failures.push(result);
      acknowledged += result.stats.workload.acknowledged;
      crashes += result.stats.faults.crash + result.stats.faults['crash-mid-persist'];
      partitions +=
        result.stats.faults.partition +
        result.stats.faults['one-way'] +
        result.stats.faults['isolate-leader'];
    }
    for (const f of failures.slice(0, 3)) {
      t.log(`seed ${f.seed}: ${f.failure?.invariant} -- ${f.failure?.detail}`);
      t.log(`replay: npm run sim -- --seed ${f.seed} --nodes ${nodes} --ticks ${SMOKE_TICKS} --trace`);
    }
    t.deepEqual(
      failures.map((f) => f.seed),
      [],
    );
    t.true(acknowledged > SMOKE_SEEDS * 10, `writes were acknowledged (${acknowledged})`);
    t.true(crashes > SMOKE_SEEDS, `crashes were injected (${crashes})`);
    t.true(partitions > SMOKE_SEEDS / 2, `partitions were injected (${partitions})`);
  });
}
