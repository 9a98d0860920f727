/**
 * Repairing a damaged log from the peers (protocol-aware recovery, after Alagappan et al., FAST
 * '18). A node whose log fails its checksums cuts it back to the last good record and fetches the
 * rest again through normal replication. Safety needs one more rule: the node may have
 * acknowledged entries it has just thrown away, so it grants no vote and never campaigns until
 * its commit index reaches the highest index it may have acknowledged (Raft's voteAfterCommit).
 * That index is written to a marker file BEFORE the log is cut, so a crash mid-repair keeps it.
 */
import { join } from 'node:path';
import { LogClusterError } from '../errors.js';
import {
  AtomicFile,
  type FileSystem,
  HardStateFile,
  highestIntactIndex,
  SegmentedLog,
  truncateLogAt,
} from '../storage/index.js';

/** Name of the marker file (in the Raft directory) that holds the repair's vote barrier. */
export const REPAIR_MARKER_FILE = 'repair';
/** Repairs tried in a row at one start before giving up (each one cuts the log shorter). */
export const REPAIR_ATTEMPTS_MAX = 3;

/** What a repair did, for the node's log and events. */
export interface RepairReport {
  readonly segment: string;
  readonly offset: number;
  /** The damaged record's index. */
  readonly index: number;
  /** No vote or campaign until the commit index reaches this. */
  readonly voteAfterCommit: number;
  /** The log's last index after the cut. */
  readonly lastIndex: number;
}

/** True when `error` is damage inside a log segment that repairLog can cut away. */
export function isRepairable(error: unknown): error is LogClusterError {
  if (!(error instanceof LogClusterError) || error.code !== 'STORAGE_CORRUPT') return false;
  const { segment, offset } = error.details as { segment?: unknown; offset?: unknown };
  return typeof segment === 'string' && typeof offset === 'number';
}

function marker(fs: FileSystem, raftDir: string): AtomicFile {
  return new AtomicFile(fs, join(raftDir, REPAIR_MARKER_FILE));
}

/** The vote barrier of an unfinished repair (0 when none). */
export async function pendingRepair(fs: FileSystem, raftDir: string): Promise<number> {
  const bytes = await marker(fs, raftDir).read();
  if (bytes === undefined) return 0;
  const value = JSON.parse(Buffer.from(bytes).toString('utf8')) as { voteAfterCommit?: unknown };
  return typeof value.voteAfterCommit === 'number' ? value.voteAfterCommit : 0;
}

/** Removes the marker once the node holds everything again (its commit reached the barrier). */
export async function finishRepair(fs: FileSystem, raftDir: string): Promise<void> {
  const path = join(raftDir, REPAIR_MARKER_FILE);
  if (!fs.exists(path)) return;
  fs.unlink(path);
  await fs.syncDir(raftDir);
}

/** Cuts the log in `raftDir/log` at the damage `error` names. The storage must be closed. */
export async function repairLog(
  fs: FileSystem,
  raftDir: string,
  error: LogClusterError,
): Promise<RepairReport> {
  const { segment, offset, index } = error.details as { segment: string; offset: number; index?: number };
  const logDir = join(raftDir, 'log');
  const hardStateFile = new HardStateFile(fs, raftDir);
  const hardState = await hardStateFile.load();
  const voteAfterCommit = Math.max(
    await pendingRepair(fs, raftDir),
    highestIntactIndex(fs, logDir, index ?? 0),
    hardState?.commit ?? 0,
  );
  await marker(fs, raftDir).write(Buffer.from(JSON.stringify({ voteAfterCommit, segment, offset }), 'utf8'));
  await truncateLogAt(fs, logDir, segment, offset);
  const { log } = await SegmentedLog.open(fs, logDir);
  const lastIndex = log.lastIndex;
  await log.close();
  // The commit index is only a cache of what is known committed: lowering it is always safe.
  if (hardState && hardState.commit > lastIndex)
    await hardStateFile.save({ ...hardState, commit: lastIndex });
  return { segment, offset, index: index ?? lastIndex + 1, voteAfterCommit, lastIndex };
}
