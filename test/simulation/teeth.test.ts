/**
 * The checker has teeth: with one planted bug switched on, the simulator finds a violation of a
 * safety invariant within TEETH_SEEDS_MAX seeds, for 3 and for 5 nodes; the failing seed passes
 * once the bug is off again (so the bug, not the fault mix, broke the run). Each bug gets the
 * scenario whose fault mix makes it bite (test/simulation/scenarios.ts).
 */
import test from 'ava';
import { INVARIANTS } from './checker.js';
import type { RunResult } from './run-result.js';
import { type BugName, scenarioConfig } from './scenarios.js';
import { runSimulation } from './simulator.js';

/** Seeds each bug gets. Measured catch rates are 11-86 % per seed (docs/simulation.md). */
export const TEETH_SEEDS_MAX = 60;

const SAFETY: readonly string[] = Object.values(INVARIANTS).filter((i) => i !== INVARIANTS.liveness);

const CASES: ReadonlyArray<{ bug: BugName; scenario: string }> = [
  { bug: 'voteWithoutLogCheck', scenario: 'stale-votes' },
  { bug: 'commitPreviousTerm', scenario: 'figure8' },
  { bug: 'ackBeforeDurable', scenario: 'slow-disk-crashes' },
  { bug: 'appendWithoutPrevCheck', scenario: 'figure8' },
];

for (const { bug, scenario } of CASES) {
  for (const nodes of [3, 5]) {
    test(`${bug} is caught on ${nodes} nodes (scenario ${scenario})`, async (t) => {
      const config = scenarioConfig(scenario, nodes, [bug]);
      let caught: RunResult | undefined;
      for (let seed = 1; seed <= TEETH_SEEDS_MAX && caught === undefined; seed++) {
        const result = await runSimulation(seed, config);
        if (!result.ok && SAFETY.includes(result.failure?.invariant ?? '')) caught = result;
      }
      if (caught === undefined) return t.fail(`${bug} survived ${TEETH_SEEDS_MAX} seeds`);
      t.log(`seed ${caught.seed}: ${caught.failure?.invariant} -- ${caught.failure?.detail}`);
      const control = await runSimulation(caught.seed, scenarioConfig(scenario, nodes));
      t.true(control.ok, `seed ${caught.seed} passes without the bug`);
    });
  }
}
