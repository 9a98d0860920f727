/**
 * Process ids recorded in a state file outlive the processes they named; these helpers check a
 * pid still belongs to a logcluster node before signalling it (Linux: /proc/<pid>/cmdline), and
 * wait for processes to go away.
 */
import { readFileSync } from 'node:fs';

/** How often waitForExit re-checks (cheap: one kill(pid, 0) per pid). */
export const EXIT_POLL_MS = 25;

/** What a recorded process looks like now. */
export type ProcessStatus = 'running' | 'paused' | 'gone';

function procText(pid: number, file: string): string | null {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return null;
  }
}

/**
 * Whether pid is alive and (where /proc exists) a node process or the owner we recorded. A zombie
 * counts as gone. `marker` is a substring its command line must contain.
 */
export function processStatus(pid: number | null, marker?: string): ProcessStatus {
  if (pid === null || !Number.isInteger(pid) || pid <= 0) return 'gone';
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return 'gone';
  }
  const stat = procText(pid, 'stat');
  if (stat === null) return 'running';
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  if (state === 'Z' || state === 'X') return 'gone';
  if (marker !== undefined) {
    const cmdline = procText(pid, 'cmdline');
    if (cmdline !== null && !cmdline.includes(marker)) return 'gone';
  }
  return state === 'T' || state === 't' ? 'paused' : 'running';
}

/** Sends a signal; false when the process is gone (never throws). */
export function signalPid(pid: number, signal: NodeJS.Signals): boolean {
  try {
    return process.kill(pid, signal);
  } catch {
    return false;
  }
}

/** Resolves true once every pid is gone, false if some remain after timeoutMs. */
export async function waitForExit(
  pids: readonly number[],
  timeoutMs: number,
  marker?: string,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (pids.every((pid) => processStatus(pid, marker) === 'gone')) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, EXIT_POLL_MS));
  }
}
