/**
 * A strict parser for the Prometheus text exposition format (0.0.4), enough to validate /metrics:
 * every sample line is `name{labels} value`, every family has at most one HELP and TYPE, and a
 * TYPE comes before the family's samples.
 */

/** One parsed sample. */
export interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+-?\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/y;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/** Parses `text`; throws an Error naming the line on anything malformed. */
export function parsePrometheus(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const seenSamples = new Set<string>();
  text.split('\n').forEach((line, n) => {
    const where = `line ${n + 1}: ${line}`;
    if (line === '') return;
    if (line.startsWith('#')) {
      const [, kind, name, rest] = line.match(/^# (HELP|TYPE) (\S+) ?(.*)$/) ?? [];
      if (!kind) return; // a plain comment
      if (!NAME.test(name)) throw new Error(`bad metric name, ${where}`);
      if (kind === 'HELP') {
        if (helps.has(name)) throw new Error(`second HELP, ${where}`);
        helps.add(name);
      } else {
        if (types.has(name) || !TYPES.has(rest)) throw new Error(`bad or repeated TYPE, ${where}`);
        if (seenSamples.has(name)) throw new Error(`TYPE after samples, ${where}`);
        types.set(name, rest);
      }
      return;
    }
    const match = line.match(SAMPLE);
    if (!match) throw new Error(`not a sample, ${where}`);
    const [, name, , labelText = '', valueText] = match;
    const labels: Record<string, string> = {};
    LABEL.lastIndex = 0;
    while (LABEL.lastIndex < labelText.length) {
      const label = LABEL.exec(labelText);
      if (!label) throw new Error(`bad labels, ${where}`);
      labels[label[1]] = label[2];
    }
    const value = valueText === '+Inf' ? Infinity : valueText === '-Inf' ? -Infinity : Number(valueText);
    if (Number.isNaN(value) && valueText !== 'NaN') throw new Error(`bad value, ${where}`);
    const family = name.replace(/_(bucket|sum|count|total)$/, '');
    seenSamples.add(name);
    seenSamples.add(family);
    samples.push({ name, labels, value });
  });
  return { samples, types };
}
