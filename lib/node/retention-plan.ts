/**
 * Which whole segments retention drops, as a pure function of the log's shape, the applied index
 * and the clock: by size, the oldest segments while the log exceeds `maxBytes`; by age, the oldest
 * segments whose newest entry was accepted more than `maxAgeMs` ago. Never the active (last)
 * segment, never a segment holding an entry past the applied index, always a prefix of the log.
 */

/** One segment of the log as RaftStorage.segments() describes it. */
export interface SegmentSpan {
  readonly firstIndex: number;
  readonly lastIndex: number;
  readonly bytes: number;
}

/** The retention bounds; 0 turns a bound off. */
export interface RetentionLimits {
  readonly maxBytes: number;
  readonly maxAgeMs: number;
}

/** What planRetention looks at. */
export interface PlanInput {
  /** Oldest first; the last one is the active segment. */
  readonly segments: readonly SegmentSpan[];
  /** Segments ending at or below it are already covered by the snapshot (a deferred deletion). */
  readonly snapshotIndex: number;
  readonly appliedIndex: number;
  readonly nowMs: number;
  /**
   * Accept time (the leader's clock stored in the entry, epoch ms) of the segment's newest entry,
   * undefined when it holds no log entry (only noop or config entries). Called oldest first, and
   * only while the walk still drops segments, so age retention reads one segment tail per run.
   */
  newestAcceptedAtMs(segment: SegmentSpan): number | undefined;
}

/** The segments to drop: `ends` holds each one's last index, ascending. */
export interface RetentionPlan {
  readonly ends: readonly number[];
  readonly bytes: number;
  /** Segments dropped because the log was over `maxBytes`. */
  readonly bySize: number;
  /** Segments dropped because they were older than `maxAgeMs` (and the log was not over size). */
  readonly byAge: number;
  /** Segments already under the snapshot whose files remained. */
  readonly covered: number;
}

/** The oldest segments to drop now, or null when none. */
export function planRetention(limits: RetentionLimits, input: PlanInput): RetentionPlan | null {
  const { segments } = input;
  let total = 0;
  for (const segment of segments) total += segment.bytes;
  const ends: number[] = [];
  let bytes = 0;
  let bySize = 0;
  let byAge = 0;
  let covered = 0;
  const cutoffMs = input.nowMs - limits.maxAgeMs;
  for (let i = 0; i < segments.length - 1; i++) {
    const segment = segments[i];
    if (segment.lastIndex > input.appliedIndex) break;
    if (segment.lastIndex <= input.snapshotIndex) covered++;
    else if (limits.maxBytes > 0 && total > limits.maxBytes) bySize++;
    else if (limits.maxAgeMs > 0 && isOld(input.newestAcceptedAtMs(segment), cutoffMs)) byAge++;
    else break;
    ends.push(segment.lastIndex);
    total -= segment.bytes;
    bytes += segment.bytes;
  }
  return ends.length === 0 ? null : { ends, bytes, bySize, byAge, covered };
}

/** A segment without log entries holds nothing to keep. */
function isOld(newestMs: number | undefined, cutoffMs: number): boolean {
  return newestMs === undefined || newestMs < cutoffMs;
}
