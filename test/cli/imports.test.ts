import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

function imports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]);
}

test('cli/ imports only the public entry of the library (and its own files)', (t) => {
  for (const file of sources('cli')) {
    for (const spec of imports(file)) {
      if (!spec.startsWith('.')) continue;
      const ok = !spec.includes('/lib/') || /\/lib\/index\.js$/.test(spec);
      t.true(ok, `${file} imports ${spec}`);
    }
  }
});

test('chalk, cli-table3 and yargs are used only in cli/; execa only in the launcher', (t) => {
  for (const file of sources('lib')) {
    for (const spec of imports(file)) {
      t.false(['chalk', 'cli-table3', 'yargs'].includes(spec), `${file} imports ${spec}`);
      if (spec === 'execa') t.is(file, 'lib/cluster/launcher.ts');
    }
  }
});
