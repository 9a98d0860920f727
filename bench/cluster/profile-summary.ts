/**
 * Summarizes V8 CPU profiles (.cpuprofile, as `logcluster bench --cpu-prof` writes them): the
 * functions with the most self time and the most inclusive time, and self time per file, so the
 * hot spots show up without opening a profiler. For flame graphs open the files in Chrome
 * DevTools (Performance > Load profile) or https://www.speedscope.app.
 *
 *   npx tsx bench/cluster/profile-summary.ts <dir or .cpuprofile>... [--top 25] [--callers writeBuffer]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Rows printed per table unless --top says otherwise. */
const TOP_DEFAULT = 25;

function files(paths: string[]): string[] {
  return paths.flatMap((p) =>
    statSync(p).isDirectory()
      ? readdirSync(p)
          .filter((f) => f.endsWith('.cpuprofile'))
          .map((f) => join(p, f))
      : [p],
  );
}

/** A file URL shortened to the package-relative path (lib/..., node_modules/...). */
function fileName(url: string): string {
  return url.replace(/^file:\/\//, '').replace(/^.*?\/(dist\/)?(lib|cli|node_modules)\//, '$2/');
}

function frameName(f: CallFrame): string {
  const file = f.url ? fileName(f.url) : '';
  return `${f.functionName || '(anonymous)'} ${file ? `${file}:${f.lineNumber + 1}` : ''}`.trim();
}

/**
 * For samples whose leaf frame is named `leaf` (e.g. writeBuffer, a native call), the nearest
 * caller in the package's own code (lib/, cli/): which of our functions pay for that native time.
 */
function printCallers(
  byId: Map<number, ProfileNode>,
  parent: Map<number, number>,
  selfUs: Map<number, number>,
  leaf: string,
  top: number,
  pct: (us: number) => string,
): void {
  const byCaller = new Map<string, number>();
  for (const [id, us] of selfUs) {
    if (byId.get(id)!.callFrame.functionName !== leaf) continue;
    let caller = '(no caller in lib/ or cli/)';
    for (let at = parent.get(id); at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      if (/\/(lib|cli)\//.test(frame.url) && !frame.url.includes('node_modules')) {
        caller = frameName(frame);
        break;
      }
    }
    byCaller.set(caller, (byCaller.get(caller) ?? 0) + us);
  }
  console.log(`  callers of ${leaf} in our code (% of non-idle time)`);
  for (const [name, us] of [...byCaller].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`    ${pct(us)}  ${name}`);
  }
}

function summarize(path: string, top: number): void {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
    totalUs += dt;
  });
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const perFile = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    const name = frameName(node.callFrame);
    self.set(name, (self.get(name) ?? 0) + us);
    const file = node.callFrame.url ? fileName(node.callFrame.url) : `(${node.callFrame.functionName})`;
    perFile.set(file, (perFile.get(file) ?? 0) + us);
    // Inclusive: every distinct frame name on the stack gets the sample once (recursion counted once).
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const n = frameName(byId.get(at)!.callFrame);
      if (seen.has(n)) continue;
      seen.add(n);
      inclusive.set(n, (inclusive.get(n) ?? 0) + us);
    }
  }
  const idle = self.get('(idle)') ?? 0;
  const busy = totalUs - idle;
  const pct = (us: number) => `${((us / Math.max(busy, 1)) * 100).toFixed(1).padStart(5)}%`;
  const print = (title: string, map: Map<string, number>) => {
    console.log(`  ${title} (% of non-idle time)`);
    const rows = [...map]
      .filter(([name]) => !/^\(*(idle|root|program)\)/.test(name))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top);
    for (const [name, us] of rows) console.log(`    ${pct(us)}  ${name}`);
  };
  console.log(
    `${basename(path)}: ${(totalUs / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (${((busy / Math.max(totalUs, 1)) * 100).toFixed(0)}%), program/GC ${pct((self.get('(program)') ?? 0) + (self.get('(garbage collector)') ?? 0))}`,
  );
  print('self time by function', self);
  if (callers) printCallers(byId, parent, selfUs, callers, top, pct);
  print('inclusive time by function', inclusive);
  print('self time by file', perFile);
  console.log('');
}

const args = process.argv.slice(2);
/** The value after `--name`, and the arguments without both. */
function option(name: string): string | undefined {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const [, value] = args.splice(at, 2);
  return value;
}
const top = Number(option('--top') ?? TOP_DEFAULT);
const callers = option('--callers');
const paths = args;
if (paths.length === 0) {
  console.error(
    'usage: npx tsx bench/cluster/profile-summary.ts <dir or .cpuprofile>... [--top N] [--callers <native fn>]',
  );
  process.exit(2);
}
for (const file of files(paths)) summarize(file, top);
