/**
 * `npm run chaos -- [options]`: one chaos run against a real cluster of node processes.
 *
 *   --duration 60s        workload length (fault phase + recovery phase); 300s, 5m, ...
 *   --seed N              the fault schedule's seed (default: random; printed first)
 *   --nodes 3             cluster size (5: fault groups of up to 2 nodes)
 *   --writers 4 --readers 2 --rate 20    clients and their ops/s ceiling each
 *   --faults kill,pause,isolate,isolate-in,isolate-out   fault kinds (default all)
 *   --target any|leader|follower         which nodes faults prefer (default any: leader-weighted)
 *   --bugs ackOnPropose,staleReads       plant node bugs (the checker must then fail)
 *   --out FILE            history JSON path (default: a file in the temp dir)
 *   --keep                keep the cluster's data directory (kept anyway on an anomaly)
 *   --election-timeout-ms 300  --tick-interval-ms 25
 *
 * Exit code 0: no anomaly. 1: anomalies (printed). 2: bad usage.
 */
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import {
  type BugName,
  type ChaosOptions,
  defaultChaosOptions,
  type FaultKind,
  parseDuration,
  type TargetRule,
} from './options.js';
import { runChaos } from './run.js';
import { formatSummary } from './summary.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '60s' },
    seed: { type: 'string' },
    nodes: { type: 'string', default: '3' },
    writers: { type: 'string' },
    readers: { type: 'string' },
    rate: { type: 'string' },
    faults: { type: 'string' },
    target: { type: 'string' },
    bugs: { type: 'string' },
    out: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'election-timeout-ms': { type: 'string' },
    'tick-interval-ms': { type: 'string' },
  },
  strict: true,
});

function usage(why: string): never {
  process.stderr.write(`chaos: ${why}\n`);
  process.exit(2);
}

function num(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n)) usage(`--${name} must be a number (got ${text})`);
  return n;
}

function list<T extends string>(text: string | undefined): T[] | undefined {
  return text === undefined ? undefined : (text.split(',').filter(Boolean) as T[]);
}

let options: ChaosOptions;
const seed = num('seed', values.seed) ?? randomInt(2 ** 31);
try {
  const overrides: Partial<ChaosOptions> = {
    durationMs: parseDuration(values.duration),
    nodes: num('nodes', values.nodes),
    writers: num('writers', values.writers),
    readers: num('readers', values.readers),
    rate: num('rate', values.rate),
    faults: list<FaultKind>(values.faults),
    target: values.target as TargetRule | undefined,
    bugs: list<BugName>(values.bugs),
    historyPath: values.out ?? null,
    keepData: values.keep,
    electionTimeoutMs: num('election-timeout-ms', values['election-timeout-ms']),
    tickIntervalMs: num('tick-interval-ms', values['tick-interval-ms']),
    log: (line) => process.stdout.write(`${line}\n`),
  };
  for (const key of Object.keys(overrides) as (keyof ChaosOptions)[]) {
    if (overrides[key] === undefined) delete overrides[key];
  }
  options = defaultChaosOptions(seed, overrides);
} catch (error) {
  usage(error instanceof Error ? error.message : String(error));
}

process.stdout.write(`chaos seed ${options.seed}\n`);
process.stdout.write(
  `${options.nodes} nodes, ${options.writers} writers + ${options.readers} readers at <= ${options.rate} ops/s each, ` +
    `${options.durationMs / 1000} s, faults ${options.faults.join(',')}` +
    `${options.bugs.length > 0 ? `, PLANTED BUGS ${options.bugs.join(',')}` : ''}\n`,
);
const result = await runChaos(options);
process.stdout.write(`\n${formatSummary(result.summary)}\n\nhistory: ${result.historyPath}\n`);
if (result.dataDir !== null) process.stdout.write(`data and node logs: ${result.dataDir}\n`);
if (result.check.anomalies.length > 0) {
  process.stdout.write(`\nANOMALIES (seed ${options.seed}):\n`);
  for (const a of result.check.anomalies) process.stdout.write(`  ${a.kind}: ${a.detail}\n`);
  process.exitCode = 1;
} else process.stdout.write(`\nno anomalies (seed ${options.seed})\n`);
