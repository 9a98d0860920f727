import { readFileSync } from 'node:fs';
import test from 'ava';
import * as httpLimits from '../../lib/http/limits.js';
import { LOGS_PARAMS, READ_PARAMS, STREAM_PARAMS } from '../../lib/http/query-params.js';
import { ROUTES } from '../../lib/http/routes.js';
import * as dedup from '../../lib/node/dedup-window.js';
import * as entryLimits from '../../lib/node/entries/limits.js';
import * as query from '../../lib/node/log-query.js';
import { start } from './harness.js';

// docs/api.md is the API as built: its route headings, each route's parameters and the bounds
// table must match the router, the parameter parsers and the constants, or this fails.
const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
const HEADING = /^### `(GET|POST|PUT|DELETE|PATCH) (\/\S*)`$/gm;
const documented = [...doc.matchAll(HEADING)].map((m) => `${m[1]} ${m[2]}`);
const routes = ROUTES.map((route) => `${route.method} ${route.path}`);

function section(route: string): string {
  const start = doc.indexOf(`### \`${route}\``);
  const end = doc.indexOf('\n### ', start + 1);
  return doc.slice(start, end < 0 ? undefined : end);
}

test('every route the router knows is documented, and nothing else is', (t) => {
  t.deepEqual([...documented].sort(), [...routes].sort());
});

test("each read route's accepted parameters are documented in its section", (t) => {
  const cases: Array<[string, ReadonlySet<string>]> = [
    ['GET /logs', LOGS_PARAMS],
    ['GET /logs/stream', STREAM_PARAMS],
    ['GET /read/{file_path}', READ_PARAMS],
  ];
  for (const [route, params] of cases) {
    const text = section(route);
    for (const param of params) t.true(text.includes(`\`${param}\``), `${route} documents ${param}`);
    t.true(
      route === 'GET /read/{file_path}' || text.includes('`label.<key>`'),
      `${route} documents label.<key>`,
    );
  }
});

test('the bounds table matches the constants', (t) => {
  const constants: Record<string, unknown> = { ...httpLimits, ...entryLimits, ...query, ...dedup };
  const rows = [...doc.matchAll(/^\| `([A-Z_]+)` +\| (\d+) +\|/gm)];
  t.true(rows.length >= 20);
  for (const [, name, value] of rows) {
    t.is(constants[name], Number(value), name);
  }
  // Every name the text mentions in backticks as a bound exists.
  for (const [, name] of doc.matchAll(/`([A-Z][A-Z_]+_(?:MAX|MS|DEFAULT|ENTRIES))`/g)) {
    t.true(name in constants, `${name} is a real constant`);
    t.true(
      rows.some((row) => row[1] === name),
      `${name} is in the bounds table`,
    );
  }
});

test('every documented route answers on a real server (neither 404 ROUTE_NOT_FOUND nor 405)', async (t) => {
  const h = await start(t);
  for (const route of documented) {
    const [method, path] = route.split(' ');
    const concrete = path.replace('{file_path}', 'log_00000000000000000001.json');
    if (path.endsWith('/stream')) continue; // a stream never ends; covered by its own tests
    const reply = await h.send(method, concrete, {
      headers: { 'content-type': 'application/json' },
      body: method === 'POST' ? '{"message":"doc"}' : undefined,
    });
    t.not(reply.json?.code, 'ROUTE_NOT_FOUND', route);
    t.not(reply.status, 405, route);
    t.true(reply.status < 400, `${route}: ${reply.status} ${reply.text.slice(0, 200)}`);
  }
});
