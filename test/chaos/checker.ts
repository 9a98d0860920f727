/**
 * The chaos checker, after Jepsen's Kafka workload checker: it judges the recorded history
 * against the logs every node holds at the end (read after every fault was healed and the nodes
 * converged). See docs/chaos.md for the rules and why each holds.
 */
import type { FinalEntry } from './final-state.js';
import type { LogsOp, Op, ReadOp, SeenEntry, WriteOp } from './history.js';

/** The kinds of anomaly, each a broken promise of docs/guarantees.md. */
export type AnomalyKind =
  | 'no-convergence'
  | 'logs-differ'
  | 'duplicate'
  | 'lost-write'
  | 'wrong-index'
  | 'failed-write-stored'
  | 'phantom'
  | 'wrong-value'
  | 'batch-partial'
  | 'stale-read'
  | 'stale-logs'
  | 'read-failed-write'
  | 'read-unwritten'
  | 'read-inconsistent'
  | 'internal-error';

/** One anomaly, with the operation numbers that show it. */
export interface Anomaly {
  readonly kind: AnomalyKind;
  readonly detail: string;
  readonly ops: readonly number[];
}

/** Examples kept per anomaly kind (the count covers all of them). */
export const EXAMPLES_PER_KIND_MAX = 20;

/** What the checker needs. */
export interface CheckInput {
  readonly ops: readonly Op[];
  readonly finalLogs: ReadonlyMap<string, readonly FinalEntry[]>;
  readonly converged: boolean;
  readonly convergeDetail: string;
  /** Operations answered 500 or with an unexpected error. */
  readonly internal: readonly { op: string; detail: string }[];
}

/** The verdict: every anomaly (examples capped per kind) and the count per kind. */
export interface CheckResult {
  readonly anomalies: Anomaly[];
  readonly counts: Partial<Record<AnomalyKind, number>>;
}

class Findings {
  readonly anomalies: Anomaly[] = [];
  readonly counts: Partial<Record<AnomalyKind, number>> = {};

  add(kind: AnomalyKind, detail: string, ops: readonly number[] = []): void {
    const count = (this.counts[kind] ?? 0) + 1;
    this.counts[kind] = count;
    if (count <= EXAMPLES_PER_KIND_MAX) this.anomalies.push({ kind, detail, ops });
  }
}

/** Checks a run. */
export function check(input: CheckInput): CheckResult {
  const found = new Findings();
  if (!input.converged) found.add('no-convergence', input.convergeDetail);
  for (const { op, detail } of input.internal) found.add('internal-error', `${op}: ${detail}`);
  const writes = input.ops.filter((op): op is WriteOp => op.kind === 'write');
  const byId = new Map<string, WriteOp>();
  for (const w of writes) for (const e of w.entries) byId.set(e.id, w);
  const reference = checkFinalLogs(input.finalLogs, found);
  checkWrites(writes, input.finalLogs, reference, found);
  checkPhantoms(reference, byId, found);
  checkReads(input.ops, writes, byId, reference, found);
  return { anomalies: found.anomalies, counts: found.counts };
}

/** Same sequence on every node; no id twice. Returns id -> entry of the reference (first) node. */
function checkFinalLogs(
  logs: ReadonlyMap<string, readonly FinalEntry[]>,
  found: Findings,
): Map<string, FinalEntry> {
  const [first] = logs.keys();
  const base = first === undefined ? [] : logs.get(first)!;
  for (const [node, log] of logs) {
    if (node !== first) {
      const n = Math.max(log.length, base.length);
      for (let i = 0; i < n; i++) {
        const a = base[i];
        const b = log[i];
        if (a?.index !== b?.index || a?.id !== b?.id || a?.checksum !== b?.checksum) {
          found.add(
            'logs-differ',
            `${node} differs from ${first} at position ${i}: ${show(b)} vs ${show(a)} (lengths ${log.length} vs ${base.length})`,
          );
          break;
        }
      }
    }
    const seen = new Map<string, number>();
    for (const e of log) {
      const before = seen.get(e.id);
      if (before !== undefined)
        found.add('duplicate', `${node}: id ${e.id} at indexes ${before} and ${e.index}`);
      seen.set(e.id, e.index);
    }
  }
  const byId = new Map<string, FinalEntry>();
  for (const e of base) if (!byId.has(e.id)) byId.set(e.id, e); // a duplicate is reported above
  return byId;
}

function checkWrites(
  writes: readonly WriteOp[],
  logs: ReadonlyMap<string, readonly FinalEntry[]>,
  reference: Map<string, FinalEntry>,
  found: Findings,
): void {
  const perNode = [...logs].map(([node, log]) => ({ node, ids: new Set(log.map((e) => e.id)) }));
  for (const w of writes) {
    const present = w.entries.filter((e) => reference.has(e.id));
    if (w.entries.length > 1 && present.length > 0 && present.length < w.entries.length) {
      found.add(
        'batch-partial',
        `batch ${w.n} (${w.outcome}): ${present.length} of ${w.entries.length} entries stored`,
        [w.n],
      );
    }
    w.entries.forEach((entry, i) => {
      const stored = reference.get(entry.id);
      if (w.outcome === 'ok') {
        const missing = perNode.filter((p) => !p.ids.has(entry.id)).map((p) => p.node);
        if (missing.length > 0) {
          found.add(
            'lost-write',
            `write ${w.n} of ${entry.id} acknowledged at ${w.completeMs} ms (index ${w.indexes?.[i]}) is missing on ${missing.join(', ')}`,
            [w.n],
          );
        }
        if (stored && w.indexes?.[i] !== stored.index) {
          found.add(
            'wrong-index',
            `write ${w.n} of ${entry.id} was acknowledged at index ${w.indexes?.[i]} but is stored at ${stored.index}`,
            [w.n],
          );
        }
      }
      if (w.outcome === 'fail' && stored) {
        found.add(
          'failed-write-stored',
          `write ${w.n} of ${entry.id} failed definitely (${codes(w)}) but is stored at ${stored.index}`,
          [w.n],
        );
      }
      if (stored && stored.value !== entry.value) {
        found.add(
          'wrong-value',
          `${entry.id} holds ${JSON.stringify(stored.value)}, written ${entry.value}`,
          [w.n],
        );
      }
    });
  }
}

function checkPhantoms(
  reference: Map<string, FinalEntry>,
  byId: Map<string, WriteOp>,
  found: Findings,
): void {
  for (const [id, entry] of reference) {
    if (!byId.has(id)) found.add('phantom', `index ${entry.index} holds ${id}, which no client wrote`);
  }
}

function checkReads(
  ops: readonly Op[],
  writes: readonly WriteOp[],
  byId: Map<string, WriteOp>,
  reference: Map<string, FinalEntry>,
  found: Findings,
): void {
  const ackedBefore = ackedIndexTimeline(writes);
  for (const op of ops) {
    if (op.kind === 'write' || op.outcome !== 'ok') continue;
    const seen = op.kind === 'read' ? (op.seen === null ? [] : [op.seen]) : op.seen;
    for (const entry of seen) checkSeen(op, entry, byId, reference, found);
    if (op.consistency !== 'linearizable') continue;
    if (op.kind === 'read') checkLinearizableRead(op, byId, found);
    else checkLinearizableLogs(op, ackedBefore, found);
  }
}

/** An entry a read returned must be a write that did not fail, with its value, where it ends up. */
function checkSeen(
  op: ReadOp | LogsOp,
  entry: SeenEntry,
  byId: Map<string, WriteOp>,
  reference: Map<string, FinalEntry>,
  found: Findings,
): void {
  const where = `${op.kind} ${op.n} on ${op.node} (${op.consistency}) at ${op.invokeMs} ms`;
  const write = byId.get(entry.id);
  if (write === undefined) {
    found.add('read-unwritten', `${where} returned ${entry.id}, which no client wrote`, [op.n]);
    return;
  }
  if (write.outcome === 'fail') {
    found.add(
      'read-failed-write',
      `${where} returned ${entry.id} of write ${write.n}, which failed (${codes(write)})`,
      [op.n, write.n],
    );
  }
  const written = write.entries.find((e) => e.id === entry.id)!;
  const stored = reference.get(entry.id);
  if (entry.value !== written.value || stored === undefined || stored.index !== entry.index) {
    found.add(
      'read-inconsistent',
      `${where} saw ${entry.id}=${JSON.stringify(entry.value)} at index ${entry.index}; written ${written.value}, finally at ${stored?.index ?? 'nowhere'}`,
      [op.n, write.n],
    );
  }
}

function checkLinearizableRead(op: ReadOp, byId: Map<string, WriteOp>, found: Findings): void {
  const write = byId.get(op.id);
  if (op.seen === null && write?.outcome === 'ok' && write.completeMs < op.invokeMs) {
    found.add(
      'stale-read',
      `read ${op.n} of ${op.id} on ${op.node} at ${op.invokeMs} ms found nothing, but write ${write.n} was acknowledged at ${write.completeMs} ms`,
      [op.n, write.n],
    );
  }
}

function checkLinearizableLogs(
  op: LogsOp,
  acked: (timeMs: number) => AckedMax | null,
  found: Findings,
): void {
  const newest = acked(op.invokeMs);
  if (newest === null) return;
  const top = op.seen.reduce((max, e) => Math.max(max, e.index), 0);
  if (top < newest.index) {
    found.add(
      'stale-logs',
      `logs ${op.n} on ${op.node} at ${op.invokeMs} ms: newest entry ${top}, but write ${newest.n} was acknowledged at index ${newest.index} at ${newest.completeMs} ms`,
      [op.n, newest.n],
    );
  }
}

interface AckedMax {
  readonly index: number;
  readonly n: number;
  readonly completeMs: number;
}

/** For a time t: the highest index of any write acknowledged before t. */
function ackedIndexTimeline(writes: readonly WriteOp[]): (timeMs: number) => AckedMax | null {
  const ok = writes
    .filter((w) => w.outcome === 'ok' && w.indexes !== null)
    .sort((a, b) => a.completeMs - b.completeMs);
  const prefix: AckedMax[] = [];
  for (const w of ok) {
    const index = Math.max(...(w.indexes as number[]));
    const previous = prefix.at(-1);
    prefix.push(previous && previous.index >= index ? previous : { index, n: w.n, completeMs: w.completeMs });
  }
  return (timeMs) => {
    let lo = 0;
    let hi = ok.length; // first write completed at or after timeMs
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ok[mid].completeMs < timeMs) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? null : prefix[lo - 1];
  };
}

function codes(w: WriteOp): string {
  return w.attempts.map((a) => a.code ?? a.outcome).join(',');
}

function show(e: FinalEntry | undefined): string {
  return e === undefined ? 'nothing' : `${e.index}:${e.id}`;
}
