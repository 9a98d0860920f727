/**
 * The numbers a chaos run reports: operations by kind and outcome, faults by kind, the longest
 * stretch without an acknowledged write, and how fast the cluster recovered after the last fault.
 */
import type { CheckResult } from './checker.js';
import type { FaultRecord, Op, WriteOp } from './history.js';

/** The summary of one run. */
export interface ChaosSummary {
  readonly seed: number;
  readonly durationMs: number;
  readonly nodes: number;
  /** "write", "read:linearizable", "logs:local", ... -> outcome -> count. */
  readonly operations: Record<string, { ok: number; fail: number; unknown: number }>;
  /** Entries acknowledged (a batch counts each entry). */
  readonly entriesAcked: number;
  readonly faults: Record<string, { count: number; totalMs: number; onLeader: number }>;
  /** Longest time between two acknowledged writes while the workload ran, and when it began. */
  readonly longestWriteGapMs: number;
  readonly longestWriteGapAtMs: number;
  /** From the last heal to the first acknowledgement of a write invoked after it. */
  readonly firstAckAfterHealMs: number | null;
  /** From the end of the workload until every node applied the same index. */
  readonly convergeMs: number;
  readonly finalLogEntries: number;
  readonly anomalies: Partial<Record<string, number>>;
}

/** What summarize needs. */
export interface SummaryInput {
  readonly seed: number;
  readonly durationMs: number;
  readonly nodes: number;
  readonly ops: readonly Op[];
  readonly faults: readonly FaultRecord[];
  readonly lastHealMs: number;
  readonly workloadEndMs: number;
  readonly convergeMs: number;
  readonly finalLogEntries: number;
  readonly check: CheckResult;
}

/** Computes the summary. */
export function summarize(input: SummaryInput): ChaosSummary {
  const operations: ChaosSummary['operations'] = {};
  for (const op of input.ops) {
    const key = op.kind === 'write' ? 'write' : `${op.kind}:${op.consistency}`;
    operations[key] ??= { ok: 0, fail: 0, unknown: 0 };
    operations[key][op.outcome]++;
  }
  const faults: ChaosSummary['faults'] = {};
  for (const f of input.faults) {
    faults[f.kind] ??= { count: 0, totalMs: 0, onLeader: 0 };
    faults[f.kind].count++;
    faults[f.kind].totalMs += Math.round((f.endMs ?? f.startMs) - f.startMs);
    if (f.wasLeader) faults[f.kind].onLeader++;
  }
  const writes = input.ops.filter((op): op is WriteOp => op.kind === 'write');
  const acks = writes
    .filter((w) => w.outcome === 'ok')
    .map((w) => w.completeMs)
    .sort((a, b) => a - b);
  let gap = 0;
  let gapAt = 0;
  const firstInvoke = writes.length > 0 ? Math.min(...writes.map((w) => w.invokeMs)) : 0;
  const points = [firstInvoke, ...acks, input.workloadEndMs];
  for (let i = 1; i < points.length; i++) {
    if (points[i] - points[i - 1] > gap) {
      gap = points[i] - points[i - 1];
      gapAt = points[i - 1];
    }
  }
  const afterHeal = writes
    .filter((w) => w.outcome === 'ok' && w.invokeMs >= input.lastHealMs)
    .map((w) => w.completeMs);
  return {
    seed: input.seed,
    durationMs: input.durationMs,
    nodes: input.nodes,
    operations,
    entriesAcked: writes.filter((w) => w.outcome === 'ok').reduce((n, w) => n + w.entries.length, 0),
    faults,
    longestWriteGapMs: Math.round(gap),
    longestWriteGapAtMs: Math.round(gapAt),
    firstAckAfterHealMs: afterHeal.length > 0 ? Math.round(Math.min(...afterHeal) - input.lastHealMs) : null,
    convergeMs: input.convergeMs,
    finalLogEntries: input.finalLogEntries,
    anomalies: input.check.counts,
  };
}

function table(head: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [head, ...rows].map((r) => r.map(String));
  const widths = head.map((_, c) => Math.max(...cells.map((r) => r[c]?.length ?? 0)));
  const line = (r: readonly string[]) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join(
    '\n',
  );
}

/** The summary as text tables. */
export function formatSummary(s: ChaosSummary): string {
  const ops = Object.entries(s.operations).sort(([a], [b]) => a.localeCompare(b));
  const faults = Object.entries(s.faults).sort(([a], [b]) => a.localeCompare(b));
  const anomalies = Object.entries(s.anomalies);
  return [
    table(
      ['operation', 'ok', 'fail', 'unknown', 'total'],
      ops.map(([k, v]) => [k, v.ok, v.fail, v.unknown, v.ok + v.fail + v.unknown]),
    ),
    '',
    table(
      ['fault', 'count', 'on leader', 'total s'],
      faults.length === 0
        ? [['(none)', 0, 0, 0]]
        : faults.map(([k, v]) => [k, v.count, v.onLeader, (v.totalMs / 1000).toFixed(1)]),
    ),
    '',
    table(
      ['measure', 'value'],
      [
        ['entries acknowledged', s.entriesAcked],
        ['entries in the final log', s.finalLogEntries],
        [
          'longest write unavailability',
          `${(s.longestWriteGapMs / 1000).toFixed(2)} s (from ${(s.longestWriteGapAtMs / 1000).toFixed(1)} s)`,
        ],
        [
          'first ack after the last heal',
          s.firstAckAfterHealMs === null ? 'none' : `${s.firstAckAfterHealMs} ms`,
        ],
        ['nodes converged after the workload', `${s.convergeMs} ms`],
        ['anomalies', anomalies.length === 0 ? 0 : anomalies.map(([k, n]) => `${k}: ${n}`).join(', ')],
      ],
    ),
  ].join('\n');
}
