/**
 * The package version, read from the package.json above this file, which is two levels up from
 * both cli/ (sources under tsx) and dist/cli/ (built), so look upward instead of guessing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** How many directories up to look: cli/ is at most two below the package root. */
const SEARCH_DEPTH_MAX = 4;

/** The version of the logcluster package this CLI belongs to ("unknown" if none is found). */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < SEARCH_DEPTH_MAX; i += 1) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'logcluster' && pkg.version) return pkg.version;
    }
    dir = dirname(dir);
  }
  return 'unknown';
}
