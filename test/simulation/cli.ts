/**
 * `npm run sim -- [options]`: the deterministic simulator's command line.
 *
 *   --seed N            run one seed (prints the seed first; exit 1 on a violation)
 *   --seeds K           run K seeds from --start (default 1) and print a summary table
 *   --start S           first seed of a --seeds batch
 *   --nodes 3|5         cluster size (default 3)
 *   --trace             print every event of a --seed run
 *   --bug NAME          plant a bug (repeatable): voteWithoutLogCheck, commitPreviousTerm, ackBeforeDurable
 *   --scenario NAME     a named config (default: default)
 *   --ticks T           length of the fault phase
 *   --set KEY=VALUE     override one numeric SimConfig field (repeatable; for exploring fault mixes)
 *
 * Without --seed or --seeds, one run with a random seed (printed first, so it can be replayed).
 */
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { BUG_NAMES, type BugName, SCENARIOS, scenarioConfig } from './scenarios.js';
import { runSimulation } from './simulator.js';
import { addRun, emptySummary, formatSummary } from './summary.js';

/** Progress lines during a batch: one per this many runs. */
export const PROGRESS_EVERY_RUNS = 1000;

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    seeds: { type: 'string' },
    start: { type: 'string', default: '1' },
    nodes: { type: 'string', default: '3' },
    trace: { type: 'boolean', default: false },
    bug: { type: 'string', multiple: true, default: [] },
    scenario: { type: 'string', default: 'default' },
    ticks: { type: 'string' },
    set: { type: 'string', multiple: true, default: [] },
  },
  strict: true,
});

function integer(name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min) usage(`--${name} must be an integer >= ${min}`);
  return n;
}

function usage(why: string): never {
  process.stderr.write(`sim: ${why}\n`);
  process.exit(2);
}

const nodes = integer('nodes', values.nodes, 1) as number;
if (nodes !== 3 && nodes !== 5) usage('--nodes must be 3 or 5');
const bugs = (values.bug ?? []) as string[];
for (const bug of bugs) if (!(BUG_NAMES as readonly string[]).includes(bug)) usage(`unknown bug ${bug}`);
if (!(values.scenario in SCENARIOS)) usage(`unknown scenario ${values.scenario}`);
const config = scenarioConfig(values.scenario, nodes, bugs as BugName[]);
const ticks = integer('ticks', values.ticks, 1);
if (ticks !== undefined) config.faultTicks = ticks;
const sets = (values.set ?? []) as string[];
for (const assignment of sets) {
  const [key, text] = assignment.split('=');
  const value = Number(text);
  if (
    !(key in config) ||
    typeof (config as unknown as Record<string, unknown>)[key] !== 'number' ||
    !Number.isFinite(value)
  ) {
    if (!['maxAppendBytes', 'maxInflightAppends'].includes(key) || !Number.isFinite(value))
      usage(`--set ${assignment}: not a numeric config field`);
  }
  (config as unknown as Record<string, number>)[key] = value;
}

function replayCommand(seed: number): string {
  const extra = [
    nodes !== 3 ? ` --nodes ${nodes}` : '',
    values.scenario !== 'default' ? ` --scenario ${values.scenario}` : '',
    ...bugs.map((b) => ` --bug ${b}`),
    ticks !== undefined ? ` --ticks ${ticks}` : '',
    ...sets.map((a) => ` --set ${a}`),
  ].join('');
  return `npm run sim -- --seed ${seed}${extra}`;
}

async function one(seed: number): Promise<number> {
  process.stdout.write(`seed ${seed}\n`);
  const result = await runSimulation(seed, config, { traceMode: values.trace ? 'full' : 'ring' });
  const s = result.stats;
  if (result.ok) {
    process.stdout.write(
      `ok: ${s.ticks} ticks, ${s.elections} leaders, ${s.workload.acknowledged}/${s.workload.proposed} writes acknowledged, ${s.committed} committed, liveness in ${s.livenessTicks} ticks\n`,
    );
    return 0;
  }
  const f = result.failure;
  process.stdout.write(`FAILED seed ${seed} at tick ${f?.tick} (time ${f?.time})\n`);
  process.stdout.write(`invariant: ${f?.invariant}\ndetail: ${f?.detail}\n`);
  if (f?.stack) process.stdout.write(`${f.stack}\n`);
  if (!values.trace) process.stdout.write(`last events:\n${result.lastLines.join('\n')}\n`);
  process.stdout.write(`replay: ${replayCommand(seed)} --trace\n`);
  return 1;
}

async function many(count: number, start: number): Promise<number> {
  process.stdout.write(`seeds ${start}..${start + count - 1}, ${nodes} nodes, scenario ${values.scenario}\n`);
  const summary = emptySummary();
  const began = performance.now();
  for (let seed = start; seed < start + count; seed++) {
    const result = await runSimulation(seed, config);
    addRun(summary, result);
    if (!result.ok) process.stdout.write(`FAILED seed ${seed}: ${result.failure?.invariant}\n`);
    if (summary.runs % PROGRESS_EVERY_RUNS === 0) {
      const secs = ((performance.now() - began) / 1000).toFixed(1);
      process.stdout.write(`  ${summary.runs} runs, ${summary.failed} failed, ${secs} s\n`);
    }
  }
  summary.elapsedMs = performance.now() - began;
  process.stdout.write(`${formatSummary(summary, replayCommand)}\n`);
  return summary.failed === 0 ? 0 : 1;
}

const seedsCount = integer('seeds', values.seeds, 1);
const start = integer('start', values.start, 0) as number;
const seed = integer('seed', values.seed, 0);
const code = seedsCount !== undefined ? await many(seedsCount, start) : await one(seed ?? randomInt(2 ** 31));
process.exitCode = code;
