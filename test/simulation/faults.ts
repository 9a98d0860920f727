/** The kinds of fault the nemesis injects, and the consequences worth counting, for summaries. */

/** Fault counters, by kind. */
export type FaultCounts = Record<FaultKind, number>;

/** Every fault kind the summary reports. */
export const FAULT_KINDS = [
  'drop',
  'duplicate',
  'delay',
  'reorder',
  'weather',
  'partition',
  'one-way',
  'isolate-leader',
  'heal',
  'crash',
  'crash-mid-persist',
  'torn-write',
  'leader-crash',
  'commit-crash',
  'restart',
  'disk-error',
  'transfer',
  'reconfigure',
  'lost-with-crash',
  'snapshot-sent',
  'log-truncation',
  'unreachable-report',
  'reachable-report',
  'false-report',
] as const;

/** One fault kind. */
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Zero counts. */
export function zeroFaults(): FaultCounts {
  return Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as FaultCounts;
}
