/**
 * OTLP log records to logcluster entries:
 * - level: SeverityNumber's range (1-4 trace ... 21-24 fatal), else SeverityText read as a level
 *   name, else info;
 * - message: a string body as it is, any other body JSON-encoded; no body: the event name, else
 *   OTLP_EMPTY_BODY_MESSAGE;
 * - source: the resource's `service.name`, else the scope name, else `otlp`;
 * - labels: the record's attributes, then the resource's (except service.name), nested values
 *   flattened to dotted keys, keys and values fitted to the label rules; past LABELS_MAX the rest
 *   are dropped and counted in `dropped_attributes`;
 * - timestamp: timeUnixNano, else observedTimeUnixNano, else the leader's clock;
 * - kept as fields: trace_id, span_id, trace_flags, severity_number, severity_text, event_name,
 *   scope {name, version}.
 * Ids hash the resource and the record as encoded, so a retried export stores nothing twice.
 */

import { ContentIds } from '../ids.js';
import type { IngestItem } from '../ingest-item.js';
import { LabelSet } from '../labels.js';
import { levelFromName, levelFromOtlpSeverity } from '../levels.js';
import type { OtlpAttributes, OtlpRecord, OtlpResource, OtlpValue } from './model.js';

/** Source when neither service.name nor a scope name is sent. */
export const OTLP_SOURCE_DEFAULT = 'otlp';
/** Message of a record with neither a body nor an event name (a message is required). */
export const OTLP_EMPTY_BODY_MESSAGE = '(empty body)';

/** One entry per record, in request order. */
export function mapOtlpResources(resources: readonly OtlpResource[]): IngestItem[] {
  const ids = new ContentIds('otlp');
  const items: IngestItem[] = [];
  resources.forEach((resource, r) => {
    const serviceName = resource.attributes.find(([key]) => key === 'service.name')?.[1];
    const resourceLabels = resource.attributes.filter(([key]) => key !== 'service.name');
    resource.scopes.forEach((scope, s) => {
      const source =
        typeof serviceName === 'string' && serviceName !== ''
          ? serviceName
          : scope.name !== ''
            ? scope.name
            : OTLP_SOURCE_DEFAULT;
      scope.records.forEach((record, i) => {
        const raw = mapRecord(record, source, resourceLabels);
        raw.id = ids.next([resource.identity, scope.name, scope.version, record.identity]);
        if (scope.name !== '' || scope.version !== '') {
          raw.scope = { name: scope.name, version: scope.version };
        }
        items.push({
          raw,
          where: `resourceLogs[${r}].scopeLogs[${s}].logRecords[${i}]`,
          hints: { resource: r, scope: s, record: i },
        });
      });
    });
  });
  return items;
}

function mapRecord(
  record: OtlpRecord,
  source: string,
  resourceLabels: OtlpAttributes,
): Record<string, unknown> {
  const labels = new LabelSet();
  for (const [key, value] of record.attributes) flatten(labels, key, value);
  for (const [key, value] of resourceLabels) flatten(labels, key, value);
  const ns = record.timeUnixNano > 0n ? record.timeUnixNano : record.observedTimeUnixNano;
  const raw: Record<string, unknown> = {
    message: message(record),
    level: levelFromOtlpSeverity(record.severityNumber) ?? levelFromName(record.severityText) ?? 'info',
    source,
  };
  if (ns > 0n) raw.timestamp = Number(ns / 1_000_000n);
  const set = labels.result();
  if (set !== undefined) raw.labels = set;
  if (labels.dropped > 0) raw.dropped_attributes = labels.dropped;
  if (record.traceId !== '') raw.trace_id = record.traceId;
  if (record.spanId !== '') raw.span_id = record.spanId;
  if (record.flags !== 0) raw.trace_flags = record.flags;
  if (record.severityNumber !== 0) raw.severity_number = record.severityNumber;
  if (record.severityText !== '') raw.severity_text = record.severityText;
  if (record.eventName !== '') raw.event_name = record.eventName;
  return raw;
}

function message(record: OtlpRecord): string {
  const body = record.body;
  if (typeof body === 'string') return body;
  if (body !== undefined && body !== null) return JSON.stringify(body);
  return record.eventName !== '' ? record.eventName : OTLP_EMPTY_BODY_MESSAGE;
}

/** Scalars become one label; kvlists recurse with dotted keys; arrays become their JSON. */
function flatten(labels: LabelSet, key: string, value: OtlpValue): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [inner, innerValue] of Object.entries(value)) flatten(labels, `${key}.${inner}`, innerValue);
    return;
  }
  if (value === null) return;
  labels.add(key, value);
}
