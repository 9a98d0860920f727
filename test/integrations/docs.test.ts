import { readdirSync, readFileSync } from 'node:fs';
import test from 'ava';
import * as httpLimits from '../../lib/http/limits.js';
import * as ingestLimits from '../../lib/integrations/limits.js';
import * as shipping from '../../lib/integrations/shipping/options.js';
import * as nodeSyslog from '../../lib/integrations/syslog/node-syslog.js';
import * as entryLimits from '../../lib/node/entries/limits.js';

// docs/integrations/ is the integrations as built: the bounds table matches the constants, every
// bound a page names exists, and every page has a copy-paste snippet and a mapping table.
const dir = new URL('../../docs/integrations/', import.meta.url);
const pages = readdirSync(dir).filter((name) => name.endsWith('.md'));
const read = (name: string) => readFileSync(new URL(name, dir), 'utf8');
const constants: Record<string, unknown> = {
  ...ingestLimits,
  ...entryLimits,
  ...httpLimits,
  ...shipping,
  ...nodeSyslog,
};

test('the bounds table lists every ingestion bound with its value', (t) => {
  const rows = [...read('README.md').matchAll(/^\| `([A-Z_]+)` \| (\d+) \|/gm)];
  t.deepEqual(rows.map((row) => row[1]).sort(), Object.keys(ingestLimits).sort());
  for (const [, name, value] of rows) t.is(constants[name], Number(value), name);
});

test('every bound a page names is a real constant', (t) => {
  for (const page of pages) {
    for (const [, name] of read(page).matchAll(/`([A-Z][A-Z_]+_(?:MAX|MS|DEFAULT))`/g)) {
      t.true(name in constants, `${page}: ${name}`);
    }
  }
});

test('one page per integration, each with a snippet and a mapping', (t) => {
  t.deepEqual(pages.sort(), ['README.md', 'loki.md', 'otlp.md', 'pino.md', 'syslog.md', 'winston.md']);
  for (const page of pages.filter((p) => p !== 'README.md')) {
    const text = read(page);
    t.regex(text, /```(js|yaml|sh)\n/, `${page} has a snippet`);
    t.regex(text, /## (Field mapping|Mapping)/, `${page} has a mapping`);
  }
});
