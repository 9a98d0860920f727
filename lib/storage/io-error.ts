/**
 * Turns an errno failure from the FileSystem into the registry's storage errors: ENOSPC is
 * DISK_FULL, anything else STORAGE_IO. The original error stays as `cause`.
 */
import { isLogClusterError, LogClusterError } from '../errors.js';

/** The errno code of a Node-style error, or undefined. */
export function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A LogClusterError for a failed disk operation `what` on `path` (a LogClusterError passes through). */
export function ioError(error: unknown, what: string, path: string): LogClusterError {
  if (isLogClusterError(error)) return error as LogClusterError;
  const errno = errnoCode(error) ?? 'UNKNOWN';
  const reason = error instanceof Error ? error.message : String(error);
  const code = errno === 'ENOSPC' ? 'DISK_FULL' : 'STORAGE_IO';
  return new LogClusterError(code, `${what} ${path} failed: ${reason}`, { path, errno }, { cause: error });
}

/** The STORAGE_CORRUPT error naming the segment file and byte offset, as recovery and reads report it. */
export function corruptError(
  segment: string,
  offset: number,
  index: number,
  reason: string,
): LogClusterError {
  return new LogClusterError(
    'STORAGE_CORRUPT',
    `segment ${segment} is corrupt at byte offset ${offset} (record index ${index}): ${reason}`,
    { segment, offset, index },
  );
}
