import { readFileSync } from 'node:fs';
import test from 'ava';
import { ERRORS, type ErrorCode, LogClusterError } from '../lib/errors.js';

// After fastify's errors test: the registry and docs/errors.md must list the same codes with the
// same status and exit code, so users can rely on the table.
const table = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => /^\| `[A-Z_]+` *\|/.test(line))
  .map((line) => line.split('|').map((cell) => cell.trim()));

test('every registry code is documented with its status and exit code', (t) => {
  const documented = new Map(table.map((cells) => [cells[1].replaceAll('`', ''), cells]));
  for (const [code, spec] of Object.entries(ERRORS)) {
    const row = documented.get(code);
    t.truthy(row, `${code} is missing from docs/errors.md`);
    if (!row) continue;
    t.is(Number(row[2]), spec.status, `${code} status`);
    t.is(Number(row[3]), spec.exitCode, `${code} exit code`);
  }
});

test('docs/errors.md documents no code the registry lacks', (t) => {
  for (const cells of table) {
    const code = cells[1].replaceAll('`', '');
    t.true(code in ERRORS, `${code} is documented but not in lib/errors.ts`);
  }
});

test('statuses are in the classes API.md promises', (t) => {
  for (const [code, spec] of Object.entries(ERRORS)) {
    t.true(
      [400, 401, 404, 405, 408, 409, 410, 413, 415, 429, 431, 500, 503, 507].includes(spec.status),
      code,
    );
    t.true(spec.exitCode > 0, `${code} exits non-zero`);
  }
});

test('LogClusterError carries code, status, exit code and the API error shape', (t) => {
  const error = new LogClusterError('NOT_LEADER', 'node2 is a follower', { leader_id: 'node1' });
  t.is(error.code, 'NOT_LEADER' satisfies ErrorCode);
  t.is(error.status, 503);
  t.deepEqual(error.toJSON(), {
    success: false,
    error: 'node2 is a follower',
    code: 'NOT_LEADER',
    leader_id: 'node1',
  });
  t.is(new LogClusterError('NOT_FOUND').message, 'File not found');
});
