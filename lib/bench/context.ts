/**
 * What every scenario of one run shares: the options, the load generator, the undo stack, the
 * run's temporary folder, and how to report progress, notes and interruption.
 */
import type { CellPlan } from './cells.js';
import type { LoadGenerator } from './load-generator.js';
import type { ResolvedBenchOptions } from './options.js';
import type { Teardown } from './teardown.js';

/** The run's shared state. */
export interface BenchContext {
  readonly options: ResolvedBenchOptions;
  readonly gen: LoadGenerator;
  readonly teardown: Teardown;
  /** This run's temporary folder (removed at the end). */
  readonly root: string;
  /** One line of progress for the person watching. */
  progress(line: string): void;
  /** Something the report should say (a skipped scenario, a problem seen). */
  note(text: string): void;
  /** Throws when the run was interrupted: called between measurements. */
  checkpoint(): void;
  /** The interleaved-rounds plan every load scenario uses. */
  cellPlan(): CellPlan;
}
