/**
 * The index fields of an entry the leader itself proposes, taken from the validated entry rather
 * than decoded back from the payload it just encoded: the leader applies its own proposals, and
 * re-parsing their JSON there was a tenth of its time under batched writes (profile in
 * docs/performance.md). Equal, field for field, to decodeIndexFields(encodeEntry(entry, context)).
 */
import type { EncodeContext, IndexFields } from './payload.js';
import type { ValidEntry } from './validate.js';

/** What apply indexes for `entry` once encoded with `context`. */
export function proposedFields(entry: ValidEntry, context: EncodeContext): IndexFields {
  const { original } = entry;
  return {
    id: entry.id,
    timestampMs: entry.timestampMs ?? context.nowMs,
    acceptedAtMs: context.nowMs,
    level: original.level,
    source: original.source,
    labels: original.labels,
  };
}
