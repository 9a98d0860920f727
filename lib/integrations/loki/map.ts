/**
 * Loki streams to logcluster entries: one entry per line. The stream's labels give `source` (the
 * first of LOKI_SOURCE_LABELS present) and `level` (the first of LOKI_LEVEL_LABELS whose value
 * names a level); those two labels are consumed, the rest stay labels (validated like /write's,
 * so more than LABELS_MAX is refused). Structured metadata is kept as the `structured_metadata`
 * field. Each entry's id hashes the stream's labels, the nanosecond timestamp and the line, so an
 * agent re-sending a push stores nothing twice (Loki itself drops such exact duplicates).
 */

import type { Level } from '../../node/entries/levels.js';
import { ContentIds } from '../ids.js';
import type { IngestItem } from '../ingest-item.js';
import { levelFromName } from '../levels.js';
import type { LokiStream } from './decode.js';

/** Labels that name the source, in order of preference. */
export const LOKI_SOURCE_LABELS = ['source', 'job', 'service_name', 'app'] as const;
/** Labels that name the level, in order of preference (values as levelFromName reads them). */
export const LOKI_LEVEL_LABELS = ['level', 'severity', 'detected_level'] as const;
/** Source of lines whose stream names none. */
export const LOKI_SOURCE_DEFAULT = 'loki';

/** One entry per line, in request order. */
export function mapLokiStreams(streams: readonly LokiStream[]): IngestItem[] {
  const ids = new ContentIds('loki');
  const items: IngestItem[] = [];
  streams.forEach((stream, s) => {
    const labels = new Map(stream.labels);
    const canonical = JSON.stringify([...labels].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    let source = LOKI_SOURCE_DEFAULT;
    for (const key of LOKI_SOURCE_LABELS) {
      const value = labels.get(key);
      if (value === undefined || value === '') continue;
      source = value;
      labels.delete(key);
      break;
    }
    let level: Level | undefined;
    for (const key of LOKI_LEVEL_LABELS) {
      const value = labels.get(key);
      level = value === undefined ? undefined : levelFromName(value);
      if (level === undefined) continue;
      labels.delete(key);
      break;
    }
    const labelObject = labels.size === 0 ? undefined : Object.fromEntries(labels);
    stream.lines.forEach((line, l) => {
      const raw: Record<string, unknown> = {
        id: ids.next([canonical, line.tsNs.toString(), line.line]),
        message: line.line,
        level: level ?? 'info',
        source,
        timestamp: Number(line.tsNs / 1_000_000n),
      };
      if (labelObject !== undefined) raw.labels = labelObject;
      if (line.metadata.length > 0) raw.structured_metadata = Object.fromEntries(line.metadata);
      items.push({ raw, where: `streams[${s}].values[${l}]`, hints: { stream: s, line: l } });
    });
  });
  return items;
}
