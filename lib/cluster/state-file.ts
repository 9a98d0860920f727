/**
 * The record of a running cluster, `<dataDir>/cluster.json`, that lets `stop`, `status`, `fail`
 * and `recover` find a cluster started by another process (`start --detach`, or a foreground
 * `start` in another terminal). Written atomically (temp file + rename), readable by the owner
 * only since it holds the token and cluster secret.
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LogClusterError } from '../errors.js';
import type { ResolvedClusterConfig } from './config.js';

/** The file name inside the cluster's data directory. */
export const STATE_FILE_NAME = 'cluster.json';
/** Bumped when the shape changes incompatibly; older files are refused with a clear message. */
export const STATE_FILE_VERSION = 1;

/** One recorded member. */
export interface RecordedNode {
  readonly id: string;
  readonly url: string;
  readonly pid: number | null;
  readonly voter: boolean;
  readonly logFile: string;
  /** Where the node obeys isolate/heal (control-socket.ts); absent in files of older versions. */
  readonly controlSocket?: string;
  /** True after `fail --mode isolate`, until `recover` heals it (so recover knows to heal it). */
  readonly isolated?: boolean;
}

/** What cluster.json holds. */
export interface ClusterState {
  readonly version: number;
  /** 'detached': nodes run on their own; 'foreground': a `logcluster start` process owns them. */
  readonly mode: 'detached' | 'foreground';
  /** The foreground owner's pid (null when detached). */
  readonly ownerPid: number | null;
  readonly startedAt: string;
  readonly config: ResolvedClusterConfig;
  readonly nodes: readonly RecordedNode[];
}

/** Where the state file of a cluster with that data directory lives. */
export function stateFilePath(dataDir: string): string {
  return join(dataDir, STATE_FILE_NAME);
}

/** Writes the state atomically with mode 0600. */
export async function writeClusterState(state: ClusterState): Promise<void> {
  const target = stateFilePath(state.config.dataDir);
  const temp = `${target}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, target);
}

/**
 * Reads the state of the cluster in dataDir. Throws NOT_RUNNING when there is none, and
 * CONFIG_INVALID when the file is not one this version understands.
 */
export async function readClusterState(dataDir: string): Promise<ClusterState> {
  const file = stateFilePath(dataDir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new LogClusterError(
        'NOT_RUNNING',
        `no cluster is running in ${dataDir} (no ${STATE_FILE_NAME})`,
        {
          dataDir,
        },
      );
    }
    throw error;
  }
  let state: ClusterState;
  try {
    state = JSON.parse(text) as ClusterState;
  } catch {
    throw new LogClusterError('CONFIG_INVALID', `${file} is not valid JSON; remove it if no cluster runs`, {
      file,
    });
  }
  if (state?.version !== STATE_FILE_VERSION || !Array.isArray(state.nodes)) {
    throw new LogClusterError('CONFIG_INVALID', `${file} has an unknown format (version ${state?.version})`, {
      file,
    });
  }
  return state;
}

/** Removes the state file (no error when it is already gone). */
export async function removeClusterState(dataDir: string): Promise<void> {
  await rm(stateFilePath(dataDir), { force: true });
}
