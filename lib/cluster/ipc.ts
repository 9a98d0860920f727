/**
 * The messages a manager and a node process exchange over the Node IPC channel, and the env var
 * that carries the node's options to the child. Kept apart from the launcher so the child does
 * not load execa.
 */
import type { StorageNodeOptions } from '../node/options.js';

/** Env var holding the child's launch spec as JSON (options are too rich for argv). */
export const NODE_SPEC_ENV_VAR = 'LOGCLUSTER_NODE_SPEC';

/** What the child is told at launch. */
export interface NodeLaunchSpec {
  readonly options: StorageNodeOptions;
  /**
   * Detached nodes outlive the process that started them: they ignore the IPC channel closing
   * and stop only on SIGTERM/SIGINT. Attached nodes exit when their parent goes away.
   */
  readonly detached: boolean;
  /** Unix socket to serve isolate/heal on (control-socket.ts); null: IPC only. */
  readonly controlSocket: string | null;
}

/** Which way peer traffic is cut by isolate(). */
export type IsolateDirection = 'both' | 'in' | 'out';

/** Parent -> child. */
export type ParentMessage =
  | { readonly type: 'isolate'; readonly direction: IsolateDirection }
  | { readonly type: 'heal' }
  | { readonly type: 'stop' };

/** Child -> parent. */
export type ChildMessage =
  | { readonly type: 'ready'; readonly port: number; readonly url: string; readonly pid: number }
  | { readonly type: 'error'; readonly code: string; readonly message: string }
  | { readonly type: 'role-change'; readonly role: string; readonly term: number }
  | { readonly type: 'leader-change'; readonly leaderId: string | null; readonly term: number }
  | { readonly type: 'ack'; readonly of: ParentMessage['type'] };

/** True when value looks like a ChildMessage (the channel carries plain JSON). */
export function isChildMessage(value: unknown): value is ChildMessage {
  return (
    typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string'
  );
}
