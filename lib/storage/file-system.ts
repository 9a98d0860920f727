/**
 * The one door to the disk. The storage engine does all I/O through this interface so tests can
 * swap in SimFileSystem (lib/testing), which keeps "written" and "durable" apart.
 *
 * Synchronous methods touch only the OS page cache (cheap, fine on the event loop): the Raft core
 * reads entries synchronously. Only the flushes to stable storage (datasync, fsync, syncDir) and
 * mkdir are asynchronous, so the event loop keeps running while the disk works.
 *
 * Errors are thrown (or rejected) as Node-style errors carrying an errno `code` string such as
 * 'ENOENT', 'ENOSPC', 'EIO' or 'EBADF'.
 */

/** An open file, as returned by `open`. Opaque: valid until `close` (or a simulated crash). */
export type FileHandle = number;

/**
 * How `open` treats the file. `existing`: must exist. `create`: created when absent, kept when
 * present. `replace`: created when absent, emptied when present. Every mode opens read-write.
 */
export type OpenMode = 'existing' | 'create' | 'replace';

/** The disk as the storage engine sees it. Paths are absolute or relative to the process cwd. */
export interface FileSystem {
  /** Opens `path` read-write. A created file is not durable until `syncDir` of its directory. */
  open(path: string, mode: OpenMode): FileHandle;
  /** Closes the handle. Unsynced data stays unsynced (closing does not flush). */
  close(fd: FileHandle): void;
  /** Reads up to `length` bytes at `position` into `buffer[offset...]`; returns bytes read (0 at end). */
  read(fd: FileHandle, buffer: Uint8Array, offset: number, length: number, position: number): number;
  /** Writes all `length` bytes of `buffer[offset...]` at `position` (into the cache; not durable). */
  write(fd: FileHandle, buffer: Uint8Array, offset: number, length: number, position: number): void;
  /** Sets the file's length (not durable until datasync/fsync). */
  truncate(fd: FileHandle, length: number): void;
  /** The file's current length in bytes. */
  size(fd: FileHandle): number;
  /** Makes the file's data and length durable (fdatasync). */
  datasync(fd: FileHandle): Promise<void>;
  /**
   * Optional. `datasync` done on the calling thread: blocks it for the disk's flush, but saves the
   * hand-off to a worker thread and the wake-up back (two context switches), which is most of a
   * small flush's latency on a fast disk. The log uses it only for small rounds (group-commit.ts).
   */
  datasyncNow?(fd: FileHandle): void;
  /** Makes the file's data and all its metadata durable (fsync). */
  fsync(fd: FileHandle): Promise<void>;
  /** Makes the directory's entries (files created, renamed, unlinked in it) durable. */
  syncDir(path: string): Promise<void>;
  /**
   * Optional. Extends the file to `length` bytes of written zeros (real blocks, not holes or
   * unwritten extents) and makes them durable. Later writes inside are overwrites, which
   * fdatasync without a journal commit for the file size: the log prepares its next segment so.
   * A FileSystem without it gets segments that grow by appending.
   */
  preallocate?(fd: FileHandle, length: number): Promise<void>;
  /** Creates the directory and any missing parents, durably; no-op when it exists. */
  mkdir(path: string): Promise<void>;
  /** Names in the directory (no '.' or '..'), in no particular order. */
  readdir(path: string): string[];
  /** Atomically renames, replacing `to` if present (durable after syncDir of both directories). */
  rename(from: string, to: string): void;
  /** Removes the name (durable after syncDir). Open handles to the file stay usable. */
  unlink(path: string): void;
  /** True when `path` names a file or directory. */
  exists(path: string): boolean;
}
