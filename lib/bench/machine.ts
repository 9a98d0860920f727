/**
 * The machine a run measured: figures drift between machines (and on a shared one between
 * hours), so every report says where it was taken.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { resolve } from 'node:path';
import type { MachineInfo } from './report.js';

/** "ext4 on /dev/vda" for the mount holding `dir` (longest mount-point prefix), or "unknown". */
export function diskOf(dir: string): string {
  try {
    const path = resolve(dir);
    let best = { point: '', text: 'unknown' };
    for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
      const [device, point, type] = line.split(' ');
      if (!point) continue;
      const inside = path === point || path.startsWith(point.endsWith('/') ? point : `${point}/`);
      if (inside && point.length > best.point.length) best = { point, text: `${type} on ${device}` };
    }
    return best.text;
  } catch {
    return 'unknown';
  }
}

/** The machine now; loadAverageEnd is filled in when the run ends. */
export function machineInfo(dataDir: string): MachineInfo {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    kernel: release(),
    disk: diskOf(dataDir),
    loadAverageStart: loadavg().map((n) => Math.round(n * 100) / 100),
    loadAverageEnd: [],
  };
}

/**
 * The code measured: the git commit of the working directory, marked when files differ from it
 * (figures of uncommitted code are not reproducible from the commit alone); null outside git.
 */
export function sourceRevision(cwd = process.cwd()): string | null {
  const git = (args: string[]) => spawnSync('git', args, { cwd, encoding: 'utf8', timeout: 10_000 });
  const head = git(['rev-parse', '--short', 'HEAD']);
  if (head.status !== 0) return null;
  const dirty = git(['status', '--porcelain', '--untracked-files=no']).stdout.trim() !== '';
  return `${head.stdout.trim()}${dirty ? ' + uncommitted changes' : ''}`;
}
