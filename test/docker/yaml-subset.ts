/**
 * A strict reader for the small YAML subset docker/docker-compose.yml is written in: block
 * mappings, block sequences of scalars or mappings, plain / single / double-quoted scalars,
 * `{}` and `[]`, comments. Anything else (anchors, flow collections with content, multi-line
 * strings, tabs) throws, so the compose file cannot silently drift beyond what the tests read.
 * No YAML library is a dependency of the project; this is enough to check the file's meaning.
 */

/** A parsed YAML value. */
export type YamlValue = string | YamlValue[] | { [key: string]: YamlValue };

interface Line {
  readonly indent: number;
  readonly text: string;
  readonly number: number;
}

function stripComment(raw: string): string {
  let quote: string | null = null;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || raw[i - 1] === ' ')) return raw.slice(0, i);
  }
  return raw;
}

function scalar(text: string, line: number): YamlValue {
  const t = text.trim();
  if (t === '{}') return {};
  if (t === '[]') return [];
  if (/^[&*!|>[{]/.test(t)) throw new Error(`line ${line}: unsupported YAML: ${t}`);
  if (t.startsWith('"')) {
    if (!t.endsWith('"') || t.length < 2) throw new Error(`line ${line}: unterminated string`);
    return JSON.parse(t) as string;
  }
  if (t.startsWith("'")) {
    if (!t.endsWith("'") || t.length < 2) throw new Error(`line ${line}: unterminated string`);
    return t.slice(1, -1).replace(/''/g, "'");
  }
  return t;
}

/** Splits `key: value` (value may be empty); the key may not be quoted or complex. */
function keyValue(text: string, line: number): [string, string] {
  const match = /^([A-Za-z0-9_.-]+):(?:\s+(.*)|)$/.exec(text);
  if (!match) throw new Error(`line ${line}: expected "key: value", got ${JSON.stringify(text)}`);
  return [match[1], match[2] ?? ''];
}

class Reader {
  #i = 0;
  constructor(private readonly lines: Line[]) {}

  block(indent: number): YamlValue {
    const first = this.lines[this.#i];
    return first.text.startsWith('- ') ? this.sequence(indent) : this.mapping(indent);
  }

  mapping(indent: number): { [key: string]: YamlValue } {
    const out: { [key: string]: YamlValue } = {};
    while (this.#i < this.lines.length) {
      const line = this.lines[this.#i];
      if (line.indent < indent) break;
      if (line.indent > indent) throw new Error(`line ${line.number}: unexpected indentation`);
      if (line.text.startsWith('- ')) throw new Error(`line ${line.number}: a list item inside a mapping`);
      const [key, value] = keyValue(line.text, line.number);
      if (key in out) throw new Error(`line ${line.number}: duplicate key ${key}`);
      this.#i++;
      out[key] = value === '' ? this.nested(indent, line.number) : scalar(value, line.number);
    }
    return out;
  }

  sequence(indent: number): YamlValue[] {
    const out: YamlValue[] = [];
    while (this.#i < this.lines.length) {
      const line = this.lines[this.#i];
      if (line.indent < indent || !line.text.startsWith('- ')) break;
      if (line.indent > indent) throw new Error(`line ${line.number}: unexpected indentation`);
      const item = line.text.slice(2);
      if (/^[A-Za-z0-9_.-]+:(\s|$)/.test(item)) {
        // A mapping item: its first key sits on the dash line, the rest two columns in.
        this.lines[this.#i] = { indent: indent + 2, text: item, number: line.number };
        out.push(this.mapping(indent + 2));
      } else {
        out.push(scalar(item, line.number));
        this.#i++;
      }
    }
    return out;
  }

  nested(parentIndent: number, number: number): YamlValue {
    const next = this.lines[this.#i];
    if (next === undefined || next.indent <= parentIndent) {
      // `key:` with nothing nested is null in YAML; the compose file never needs it.
      throw new Error(`line ${number}: empty value`);
    }
    return this.block(next.indent);
  }

  get done(): boolean {
    return this.#i >= this.lines.length;
  }
}

/** Parses `text`; throws an Error naming the line for anything outside the subset. */
export function parseYamlSubset(text: string): { [key: string]: YamlValue } {
  const lines: Line[] = [];
  text.split('\n').forEach((raw, n) => {
    if (raw.includes('\t')) throw new Error(`line ${n + 1}: tab character`);
    const body = stripComment(raw).trimEnd();
    if (body.trim() === '' || body.trim() === '---') return;
    lines.push({ indent: body.length - body.trimStart().length, text: body.trimStart(), number: n + 1 });
  });
  const reader = new Reader(lines);
  const root = reader.mapping(0);
  if (!reader.done) throw new Error('trailing content');
  return root;
}
