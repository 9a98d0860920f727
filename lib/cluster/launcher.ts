/**
 * Starts one node as a Node.js child process. The only file that imports execa (ARCHITECTURE.md):
 * everything else sees a LaunchedNode.
 *
 * The child runs lib/cluster/node-process with the same extension as this file, so the launcher
 * works from the TypeScript sources under tsx (process.execArgv carries the loader) and from the
 * built dist/ alike.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { execa as Execa } from 'execa';
import { ERRORS, LogClusterError } from '../errors.js';
import type { StorageNodeOptions } from '../node/options.js';
import {
  type ChildMessage,
  isChildMessage,
  NODE_SPEC_ENV_VAR,
  type NodeLaunchSpec,
  type ParentMessage,
} from './ipc.js';

/** execa, loaded at the first launch: commands that start no node skip its ~0.1 s of module loading. */
let execaLoaded: Promise<typeof Execa> | undefined;

/** How long a node may take to open its storage and listen before the launch fails. */
export const NODE_READY_TIMEOUT_MS = 15_000;

/** The node entry file next to this one, with this file's extension (.ts from source, .js from dist). */
export const NODE_ENTRY_FILE = fileURLToPath(
  new URL(`./node-process${extname(fileURLToPath(import.meta.url))}`, import.meta.url),
);

/** How to launch. */
export interface LaunchOptions {
  readonly options: StorageNodeOptions;
  /** Outlive this process (no IPC after ready, own process group, no cleanup on exit). */
  readonly detached?: boolean;
  /** Append the child's stdout and stderr here (created with its directory); default: discarded. */
  readonly logFile?: string;
  /** Unix socket on which the node obeys isolate/heal from other processes (control-socket.ts). */
  readonly controlSocket?: string;
  /** Default NODE_READY_TIMEOUT_MS. */
  readonly readyTimeoutMs?: number;
}

/** How a child ended. */
export interface NodeExit {
  readonly code: number | null;
  readonly signal: string | null;
}

/** A running node process. */
export interface LaunchedNode {
  readonly pid: number;
  readonly port: number;
  readonly url: string;
  /** Resolves once when the process has exited (never rejects). */
  readonly exited: Promise<NodeExit>;
  /** Sends an IPC message; false when the channel is gone (detached, dead or exiting). */
  send(message: ParentMessage): boolean;
  /** Subscribes to the child's IPC messages (events); returns the unsubscribe function. */
  onMessage(listener: (message: ChildMessage) => void): () => void;
  /** Sends a signal; false when the process is already gone. */
  signal(signal: NodeJS.Signals): boolean;
}

/**
 * V8's initial heap for a node process, in MiB. A node's JavaScript heap stays small (~20-50 MiB:
 * its indexes live in typed arrays, off the heap), and with a heap that small V8 keeps the old
 * generation's limit so tight that a follower ran a full mark-compact every ~150-350 ms under
 * load (`--trace-gc`), about a fifth of its CPU. Starting at 128 MiB: none in the same 6 s of load,
 * ~30% less CPU per write at 64 connections (docs/performance.md). Set on the command line:
 * V8 sizes the heap when the process starts, and NODE_OPTIONS refuses this flag.
 */
export const NODE_INITIAL_HEAP_MIB = 128;

/** Flags of this process worth passing on: loaders yes, debugger ports no (they would clash). */
function childExecArgv(): string[] {
  const inherited = process.execArgv.filter((arg) => !/^--(inspect|debug)/.test(arg));
  const ownHeap = inherited.some((arg) => arg.startsWith('--initial-heap-size'));
  return ownHeap ? inherited : [...inherited, `--initial-heap-size=${NODE_INITIAL_HEAP_MIB}`];
}

function openLog(logFile: string | undefined): number | 'ignore' {
  if (!logFile) return 'ignore';
  mkdirSync(dirname(logFile), { recursive: true });
  return openSync(logFile, 'a');
}

/**
 * Spawns a node and resolves once it reports `ready` (storage open, listening). Rejects with the
 * node's own LogClusterError code when it fails to start, or NOT_READY when it exits or stays
 * silent past the timeout (the process is killed then).
 */
export async function launchNode(launch: LaunchOptions): Promise<LaunchedNode> {
  const spec: NodeLaunchSpec = {
    options: launch.options,
    detached: launch.detached === true,
    controlSocket: launch.controlSocket ?? null,
  };
  const execa = await (execaLoaded ??= import('execa').then((m) => m.execa));
  const log = openLog(launch.logFile);
  const subprocess = execa(process.execPath, [...childExecArgv(), NODE_ENTRY_FILE], {
    env: { [NODE_SPEC_ENV_VAR]: JSON.stringify(spec) },
    stdin: 'ignore',
    // A raw fd goes straight to child_process.spawn, so output never flows through this process
    // (a detached node keeps logging after we exit). execa's types list only fds 3-9.
    stdout: log as 'ignore',
    stderr: log as 'ignore',
    ipc: true,
    serialization: 'json',
    buffer: false,
    detached: spec.detached,
    cleanup: !spec.detached,
    reject: false,
  });
  if (typeof log === 'number') closeSync(log);
  const exited: Promise<NodeExit> = subprocess.then(
    (result) => ({ code: result.exitCode ?? null, signal: result.signal ?? null }),
    () => ({ code: null, signal: null }),
  );
  const pid = subprocess.pid;
  if (pid === undefined) {
    throw new LogClusterError('NOT_READY', `node ${launch.options.id} could not be spawned`, {
      id: launch.options.id,
    });
  }
  const ready = await waitReady(subprocess, exited, launch);
  if (spec.detached) {
    subprocess.disconnect();
    subprocess.unref();
  }
  return {
    pid,
    port: ready.port,
    url: ready.url,
    exited,
    send: (message) => {
      if (!subprocess.connected) return false;
      subprocess.send(message);
      return true;
    },
    onMessage: (listener) => {
      const handler = (message: unknown): void => {
        if (isChildMessage(message)) listener(message);
      };
      subprocess.on('message', handler);
      return () => subprocess.off('message', handler);
    },
    signal: (signal) => {
      try {
        return process.kill(pid, signal);
      } catch {
        return false;
      }
    },
  };
}

type ReadyMessage = Extract<ChildMessage, { type: 'ready' }>;

function waitReady(
  subprocess: ReturnType<typeof Execa>,
  exited: Promise<NodeExit>,
  launch: LaunchOptions,
): Promise<ReadyMessage> {
  const id = launch.options.id;
  const timeoutMs = launch.readyTimeoutMs ?? NODE_READY_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    let failure: Extract<ChildMessage, { type: 'error' }> | null = null;
    let settled = false;
    const finish = (error: LogClusterError | null, ready?: ReadyMessage): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      subprocess.off('message', onMessage);
      if (error) {
        subprocess.kill('SIGKILL');
        reject(error);
      } else resolve(ready!);
    };
    const onMessage = (message: unknown): void => {
      if (!isChildMessage(message)) return;
      if (message.type === 'ready') finish(null, message);
      if (message.type === 'error') failure = message;
    };
    const timer = setTimeout(
      () =>
        finish(new LogClusterError('NOT_READY', `node ${id} did not start within ${timeoutMs} ms`, { id })),
      timeoutMs,
    );
    subprocess.on('message', onMessage);
    void exited.then((exit) => {
      if (failure) {
        const code = failure.code as ConstructorParameters<typeof LogClusterError>[0];
        finish(
          new LogClusterError(code in ERRORS ? code : 'INTERNAL', `node ${id}: ${failure.message}`, { id }),
        );
      } else {
        const how = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
        const hint = launch.logFile ? `; see ${launch.logFile}` : '';
        finish(
          new LogClusterError('NOT_READY', `node ${id} exited before it was ready (${how}${hint})`, { id }),
        );
      }
    });
  });
}
