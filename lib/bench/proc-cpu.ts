/**
 * The CPU time a measured system's processes spend, read from /proc/<pid>/stat (Linux). Rates and
 * latencies drift by tens of percent on a shared machine; the CPU a server burns per request
 * barely does, so it is the figure to compare when the machine is busy. Elsewhere (no /proc, a
 * pid unknown or gone) every reading is null and the report shows "-".
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second when `getconf CLK_TCK` cannot say (USER_HZ is 100 on every Linux port). */
export const CLOCK_TICKS_PER_SEC_DEFAULT = 100;

let ticksPerSec: number | null = null;

/** The kernel's clock ticks per second (`getconf CLK_TCK`, asked once). */
export function clockTicksPerSec(): number {
  if (ticksPerSec === null) {
    const answer = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5_000 });
    const n = Number.parseInt(answer.stdout ?? '', 10);
    ticksPerSec = Number.isFinite(n) && n > 0 ? n : CLOCK_TICKS_PER_SEC_DEFAULT;
  }
  return ticksPerSec;
}

/**
 * utime + stime of `pid` in clock ticks, from the text of /proc/<pid>/stat; null when the text is
 * not a stat line. The command name (field 2) may hold spaces and parentheses, so fields are
 * counted from the last ')'.
 */
export function parseStatTicks(stat: string): number | null {
  const end = stat.lastIndexOf(')');
  if (end < 0) return null;
  // After ")": state(3) ppid(4) ... utime(14) stime(15): indexes 11 and 12 of the rest.
  const fields = stat
    .slice(end + 1)
    .trim()
    .split(/\s+/);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isInteger(utime) && Number.isInteger(stime) ? utime + stime : null;
}

/** CPU time (user + system) of `pid` so far in µs; null when it cannot be read. */
export function processCpuUs(pid: number): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const ticks = parseStatTicks(stat);
  return ticks === null ? null : (ticks * 1e6) / clockTicksPerSec();
}

/** The summed CPU time of `pids` in µs; null when the list is null or empty or any pid is unreadable. */
export function processesCpuUs(pids: readonly number[] | null): number | null {
  if (pids === null || pids.length === 0) return null;
  let sum = 0;
  for (const pid of pids) {
    const us = processCpuUs(pid);
    if (us === null) return null;
    sum += us;
  }
  return sum;
}

/** CPU µs per operation between two readings; null when a reading is missing or nothing was done. */
export function cpuUsPerOp(beforeUs: number | null, afterUs: number | null, ops: number): number | null {
  if (beforeUs === null || afterUs === null || ops <= 0 || afterUs < beforeUs) return null;
  return (afterUs - beforeUs) / ops;
}
