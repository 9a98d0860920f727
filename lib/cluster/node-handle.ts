/**
 * What a ClusterManager holds for each member, whether it runs as a child process or in this
 * process: start it, stop it gracefully, and break it on purpose.
 */
import type { IsolateDirection } from './ipc.js';

/** Lifecycle of a member as the manager sees it. */
export type NodeState = 'stopped' | 'starting' | 'running' | 'paused' | 'dead';

/** One member of a managed cluster. */
export interface NodeHandle {
  readonly id: string;
  /** Base URL (fixed for the node's life: restarts reuse the port). */
  readonly url: string;
  /** OS process id while running as a child process; null in-process or when not running. */
  readonly pid: number | null;
  readonly state: NodeState;
  /** True while peer traffic is cut by isolate(). */
  readonly isolated: boolean;
  /** Starts the node; resolves when it listens (storage open). */
  start(): Promise<void>;
  /** Graceful stop; resolves when it is gone. Safe in any state. */
  stop(): Promise<void>;
  /** Abrupt end: SIGKILL for a process (no flush, no goodbye); the fastest stop in-process. */
  kill(): Promise<void>;
  /** Freezes the node (SIGSTOP); in-process, cuts all its peer traffic instead. */
  pause(): Promise<void>;
  /** Undoes pause(). */
  resume(): Promise<void>;
  /** Cuts its peer traffic (the node keeps running and answering clients). */
  isolate(direction: IsolateDirection): Promise<void>;
  /** Restores peer traffic. */
  heal(): Promise<void>;
  /** Called when the node ends without being asked to (crash, external kill). */
  onUnexpectedExit(listener: (detail: string) => void): void;
}
