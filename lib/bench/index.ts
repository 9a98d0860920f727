/**
 * The cluster benchmark (`logcluster bench`, `npm run bench`): runBenchmark, its options, its
 * report and the report's tables. autocannon, the load generator, is loaded only inside the load
 * worker process, so importing the library never needs it.
 */
export {
  BENCH_COMPARE_TARGETS,
  BENCH_SCENARIOS,
  type BenchOptions,
  type BenchScenario,
  type ResolvedBenchOptions,
  resolveBenchOptions,
} from './options.js';
export type {
  BenchReport,
  BenchTarget,
  ColdStartResult as BenchColdStart,
  DiskResult as BenchDisk,
  FailoverResult as BenchFailover,
  LoadRow as BenchLoadRow,
  LoadScenario as BenchLoadScenario,
  MachineInfo as BenchMachine,
  QueryLoadResult as BenchQueryLoad,
  Ratio as BenchRatio,
  ReopenResult as BenchReopen,
  TargetCheck as BenchTargetCheck,
} from './report.js';
export { type BenchHooks, runBenchmark } from './run.js';
export type { Summary as BenchSummary } from './stats.js';
export { benchMarkdown, benchTables, type TextTable as BenchTable } from './tables.js';
