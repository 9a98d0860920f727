/**
 * The benchmark's own child processes (load worker, bare server): where their entry files are,
 * which flags they inherit, and a last-resort kill of every tracked pid when the harness exits,
 * so no generator, baseline server or etcd member outlives a crashed or interrupted run.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** How long a forked entry may take to report that it is ready. */
export const CHILD_READY_TIMEOUT_MS = 15_000;

/** `lib/bench/<name>` with this file's extension (.ts under tsx, .js from dist). */
export function benchEntry(name: string): string {
  return fileURLToPath(new URL(`./${name}${extname(fileURLToPath(import.meta.url))}`, import.meta.url));
}

/** This process's flags worth passing to a helper: loaders yes; debugger and profiler flags no. */
export function childExecArgv(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (/^--(inspect|debug|cpu-prof|heap-prof|prof)/.test(arg)) {
      // A separate value ("--cpu-prof-dir dir") goes with its flag.
      if (/^--(cpu-prof-dir|cpu-prof-name|heap-prof-dir)$/.test(arg)) i++;
      continue;
    }
    out.push(arg);
  }
  return out;
}

const tracked = new Map<number, string>();
let exitHookInstalled = false;

/** Records a pid to SIGKILL if this process exits while it still runs; returns the untrack call. */
export function trackPid(pid: number, name: string): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', killTrackedSync);
  }
  tracked.set(pid, name);
  return () => {
    tracked.delete(pid);
  };
}

/** SIGKILLs every tracked pid (synchronous: usable from an 'exit' handler). */
export function killTrackedSync(): void {
  for (const pid of tracked.keys()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  tracked.clear();
}

/** Resolves when `child` has exited (at once if it already has). */
export function exitOf(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Forks lib/bench/<name> with IPC, tracked for the exit kill, and resolves once it sends its first
 * message (its "ready", returned). Rejects when it exits or stays silent past the timeout.
 */
export async function forkEntry<T>(
  name: string,
  args: readonly string[] = [],
): Promise<{ child: ChildProcess; ready: T }> {
  const child = fork(benchEntry(name), [...args], {
    execArgv: childExecArgv(),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'json',
  });
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  const untrack = trackPid(child.pid, name);
  child.once('exit', untrack);
  const ready = await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within ${CHILD_READY_TIMEOUT_MS} ms`));
    }, CHILD_READY_TIMEOUT_MS);
    child.once('message', (message: T) => {
      clearTimeout(timer);
      resolve(message);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited before it was ready (${signal ?? `code ${code}`})`));
    });
  });
  return { child, ready };
}

/** SIGKILLs a child and waits for its exit. */
export async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await exitOf(child);
}
