/** A seed is a complete description of a run: two runs of it produce byte-identical traces. */
import test from 'ava';
import { scenarioConfig } from './scenarios.js';
import { runSimulation } from './simulator.js';

for (const [seed, nodes] of [
  [11, 3],
  [12, 5],
  [13, 3],
] as const) {
  test(`seed ${seed} on ${nodes} nodes replays byte for byte`, async (t) => {
    const config = scenarioConfig('default', nodes);
    const first = await runSimulation(seed, config, { traceMode: 'hash' });
    const second = await runSimulation(seed, config, { traceMode: 'hash' });
    t.truthy(first.traceDigest);
    t.is(first.traceDigest, second.traceDigest);
    t.deepEqual(first.stats, second.stats);
    const other = await runSimulation(seed + 1000, config, { traceMode: 'hash' });
    t.not(other.traceDigest, first.traceDigest, 'another seed is another run');
  });
}

test('the full trace is what the hash covers', async (t) => {
  const config = scenarioConfig('default', 3);
  const lines: string[] = [];
  const full = await runSimulation(21, config, { traceMode: 'full', traceSink: (l) => lines.push(l) });
  const hashed = await runSimulation(21, config, { traceMode: 'hash' });
  t.is(full.traceDigest, hashed.traceDigest);
  t.true(lines.length > 1000);
  t.regex(lines[0], /seed 21 nodes 3/);
});
