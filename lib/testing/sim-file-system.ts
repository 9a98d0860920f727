/**
 * A simulated disk for deterministic tests: an in-memory file tree that keeps what was written
 * apart from what is durable. File data becomes durable through datasync/fsync of the file;
 * directory entries (create, rename, unlink) through syncDir of their directory; mkdir is durable
 * at once. `crash()` throws away everything not durable, optionally keeping a byte prefix of each
 * file's unsynced writes (a torn write), as a power loss would. Faults: ENOSPC / EIO injection and
 * byte corruption. No timers and no real I/O: async operations settle through the microtask queue
 * after a Prng-chosen number of hops, so the same seed always gives the same interleaving.
 */
import path from 'node:path';
import { Prng } from '../prng.js';
import type { FileHandle, FileSystem, OpenMode } from '../storage/file-system.js';

/** Construction options. */
export interface SimFileSystemOptions {
  /** Source of every random choice (tear points, completion order). Default: seed 1. */
  prng?: Prng;
  /**
   * Offer FileSystem.preallocate (zeros written and made durable, as on a real disk). Off by
   * default: a log would then zero-fill a whole spare segment (64 MiB by default) in memory.
   */
  preallocation?: boolean;
}

/** Options of a simulated crash. */
export interface CrashOptions {
  /** Keep a random byte prefix of each file's unsynced writes instead of none of them. */
  tearLastWrite?: boolean;
}

/** Error codes that fault injection can produce. */
export type SimErrorCode = 'ENOSPC' | 'EIO';

type Op =
  | { kind: 'write'; seq: number; position: number; bytes: Uint8Array }
  | { kind: 'truncate'; seq: number; length: number };

/** Bytes with a length, grown by doubling. */
class Content {
  buf = new Uint8Array(0);
  length = 0;

  write(position: number, bytes: Uint8Array): void {
    const end = position + bytes.length;
    this.reserve(end);
    if (position > this.length) this.buf.fill(0, this.length, position);
    this.buf.set(bytes, position);
    this.length = Math.max(this.length, end);
  }

  truncate(length: number): void {
    this.reserve(length);
    if (length > this.length) this.buf.fill(0, this.length, length);
    this.length = length;
  }

  apply(op: Op, prefix = Number.POSITIVE_INFINITY): void {
    if (op.kind === 'truncate') this.truncate(op.length);
    else this.write(op.position, prefix >= op.bytes.length ? op.bytes : op.bytes.subarray(0, prefix));
  }

  copy(): Content {
    const c = new Content();
    c.buf = this.buf.slice(0, this.length);
    c.length = this.length;
    return c;
  }

  private reserve(size: number): void {
    if (size <= this.buf.length) return;
    const next = new Uint8Array(Math.max(size, this.buf.length * 2, 64));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
}

class SimFile {
  current = new Content();
  durable = new Content();
  pending: Op[] = [];
  seq = 0;
}

class SimDir {
  children = new Map<string, SimFile | SimDir>();
  durable = new Map<string, SimFile | SimDir>();
  version = 0;
  durableVersion = 0;
}

const FILE_SYSTEM_METHODS = [
  'open',
  'close',
  'read',
  'write',
  'truncate',
  'size',
  'datasync',
  'fsync',
  'syncDir',
  'mkdir',
  'preallocate',
  'readdir',
  'rename',
  'unlink',
  'exists',
] as const satisfies ReadonlyArray<keyof FileSystem>;

const ASYNC_METHODS: ReadonlySet<string> = new Set(['datasync', 'fsync', 'syncDir', 'mkdir', 'preallocate']);

function simError(code: string, syscall: string, file: string): Error {
  return Object.assign(new Error(`${code}: simulated ${syscall} '${file}'`), { code, syscall, path: file });
}

/** The simulated disk. Exported through `logcluster/testing`. */
export class SimFileSystem implements FileSystem {
  /** Counts of operations, for tests of batching (e.g. group commit's fdatasyncs). */
  readonly counters = { writes: 0, datasyncs: 0, dirSyncs: 0, crashes: 0 };
  private readonly prng: Prng;
  private readonly root = new SimDir();
  private readonly handles = new Map<FileHandle, { file: SimFile; path: string }>();
  private nextFd = 3;
  private generation = 0;
  private full = false;
  private writeFaults: { code: SimErrorCode; count: number } = { code: 'EIO', count: 0 };
  private syncFaults: { code: SimErrorCode; count: number } = { code: 'EIO', count: 0 };

  /** Present only with the `preallocation` option (see SimFileSystemOptions). */
  readonly preallocate?: (fd: FileHandle, length: number) => Promise<void>;

  constructor(options: SimFileSystemOptions = {}) {
    this.prng = options.prng ?? new Prng(1);
    if (options.preallocation === true) this.preallocate = (fd, length) => this.zeroFill(fd, length);
  }

  open(file: string, mode: OpenMode): FileHandle {
    const { dir, name, full } = this.parent(file, 'open');
    let node = dir.children.get(name);
    if (node instanceof SimDir) throw simError('EISDIR', 'open', full);
    if (node === undefined) {
      if (mode === 'existing') throw simError('ENOENT', 'open', full);
      if (this.full) throw simError('ENOSPC', 'open', full);
      node = new SimFile();
      dir.children.set(name, node);
      dir.version++;
    } else if (mode === 'replace') {
      this.record(node, { kind: 'truncate', seq: 0, length: 0 });
    }
    const fd = this.nextFd++;
    this.handles.set(fd, { file: node, path: full });
    return fd;
  }

  close(fd: FileHandle): void {
    this.handle(fd, 'close');
    this.handles.delete(fd);
  }

  read(fd: FileHandle, buffer: Uint8Array, offset: number, length: number, position: number): number {
    const c = this.handle(fd, 'read').file.current;
    const n = Math.max(0, Math.min(length, c.length - position));
    buffer.set(c.buf.subarray(position, position + n), offset);
    return n;
  }

  write(fd: FileHandle, buffer: Uint8Array, offset: number, length: number, position: number): void {
    const h = this.handle(fd, 'write');
    if (this.writeFaults.count > 0) {
      this.writeFaults.count--;
      throw simError(this.writeFaults.code, 'write', h.path);
    }
    if (this.full) throw simError('ENOSPC', 'write', h.path);
    this.counters.writes++;
    this.record(h.file, {
      kind: 'write',
      seq: 0,
      position,
      bytes: Uint8Array.prototype.slice.call(buffer, offset, offset + length),
    });
  }

  truncate(fd: FileHandle, length: number): void {
    this.record(this.handle(fd, 'ftruncate').file, { kind: 'truncate', seq: 0, length });
  }

  size(fd: FileHandle): number {
    return this.handle(fd, 'fstat').file.current.length;
  }

  datasync(fd: FileHandle): Promise<void> {
    return this.syncFile(fd, 'fdatasync');
  }

  fsync(fd: FileHandle): Promise<void> {
    return this.syncFile(fd, 'fsync');
  }

  syncDir(dirPath: string): Promise<void> {
    const full = this.resolve(dirPath);
    const dir = this.lookup(full);
    if (!(dir instanceof SimDir)) return Promise.reject(simError('ENOENT', 'fsync', full));
    const snapshot = new Map(dir.children);
    const version = dir.version;
    return this.later('fsync', full, () => {
      this.counters.dirSyncs++;
      if (version <= dir.durableVersion) return;
      dir.durable = snapshot;
      dir.durableVersion = version;
    });
  }

  mkdir(dirPath: string): Promise<void> {
    const full = this.resolve(dirPath);
    let dir = this.root;
    for (const part of full.split('/').filter(Boolean)) {
      let next = dir.children.get(part);
      if (next instanceof SimFile) return Promise.reject(simError('ENOTDIR', 'mkdir', full));
      if (next === undefined) {
        // Like mkdir followed by an fsync of the parent: the parent's entries become durable.
        next = new SimDir();
        dir.children.set(part, next);
        dir.durable = new Map(dir.children);
        dir.durableVersion = ++dir.version;
      }
      dir = next;
    }
    return this.later('mkdir', full, () => undefined);
  }

  readdir(dirPath: string): string[] {
    const full = this.resolve(dirPath);
    const dir = this.lookup(full);
    if (dir === undefined) throw simError('ENOENT', 'scandir', full);
    if (!(dir instanceof SimDir)) throw simError('ENOTDIR', 'scandir', full);
    return [...dir.children.keys()];
  }

  rename(from: string, to: string): void {
    const src = this.parent(from, 'rename');
    const node = src.dir.children.get(src.name);
    if (node === undefined) throw simError('ENOENT', 'rename', src.full);
    const dst = this.parent(to, 'rename');
    if (dst.dir.children.get(dst.name) instanceof SimDir) throw simError('EISDIR', 'rename', dst.full);
    src.dir.children.delete(src.name);
    src.dir.version++;
    dst.dir.children.set(dst.name, node);
    dst.dir.version++;
  }

  unlink(file: string): void {
    const { dir, name, full } = this.parent(file, 'unlink');
    const node = dir.children.get(name);
    if (node === undefined) throw simError('ENOENT', 'unlink', full);
    if (node instanceof SimDir) throw simError('EISDIR', 'unlink', full);
    dir.children.delete(name);
    dir.version++;
  }

  exists(file: string): boolean {
    return this.lookup(this.resolve(file)) !== undefined;
  }

  /**
   * A power loss: every file returns to its durable contents (with `tearLastWrite`, plus a
   * Prng-chosen prefix of its unsynced writes), every directory to its durable entries, and every
   * open handle becomes invalid (operations on it fail with EBADF; pending syncs reject).
   */
  crash(options: CrashOptions = {}): void {
    this.counters.crashes++;
    this.generation++;
    this.handles.clear();
    const visit = (dir: SimDir) => {
      dir.children = new Map(dir.durable);
      dir.version = dir.durableVersion;
      for (const node of dir.children.values()) {
        if (node instanceof SimDir) visit(node);
        else this.crashFile(node, options.tearLastWrite === true);
      }
    };
    visit(this.root);
  }

  /**
   * A view of this disk for one simulated process. After the next crash every call through the
   * view fails with EIO, as if the process had died with the machine: code still running from
   * before the crash (continuations already queued) cannot touch the disk the next process sees.
   */
  attach(): FileSystem {
    const generation = this.generation;
    const alive = () => {
      if (generation !== this.generation) throw simError('EIO', 'call from a crashed process', '');
    };
    const view = {} as Record<string, unknown>;
    for (const name of FILE_SYSTEM_METHODS) {
      if (this[name] === undefined) continue;
      const method = (this as unknown as Record<string, (...args: unknown[]) => unknown>)[name];
      view[name] = (...args: unknown[]) => {
        try {
          alive();
        } catch (error) {
          if (ASYNC_METHODS.has(name)) return Promise.reject(error);
          throw error;
        }
        return method.apply(this, args);
      };
    }
    return view as unknown as FileSystem;
  }

  /** The next `count` writes fail with `code` (nothing of them is written). */
  failNextWrites(code: SimErrorCode, count = 1): void {
    this.writeFaults = { code, count };
  }

  /** The next `count` datasync / fsync / syncDir calls fail with `code` (nothing becomes durable). */
  failNextSyncs(code: SimErrorCode, count = 1): void {
    this.syncFaults = { code, count };
  }

  /** While set, writes and file creation fail with ENOSPC. */
  setFull(full: boolean): void {
    this.full = full;
  }

  /** Flips every bit of the byte at `offset` of the file, in its current and durable contents. */
  corrupt(file: string, offset: number): void {
    const node = this.lookup(this.resolve(file));
    if (!(node instanceof SimFile) || offset >= node.current.length)
      throw simError('ENOENT', 'corrupt', file);
    node.current.buf[offset] ^= 0xff;
    if (offset < node.durable.length) node.durable.buf[offset] ^= 0xff;
  }

  /** A copy of the file's current contents, or undefined when it does not exist. */
  fileBytes(file: string): Uint8Array | undefined {
    const node = this.lookup(this.resolve(file));
    return node instanceof SimFile ? node.current.buf.slice(0, node.current.length) : undefined;
  }

  private crashFile(file: SimFile, tear: boolean): void {
    if (tear && file.pending.length > 0) {
      // One unit per truncation, one per byte written: keep a random prefix of them.
      let units = 0;
      for (const op of file.pending) units += op.kind === 'write' ? op.bytes.length : 1;
      let keep = this.prng.nextInt(units + 1);
      for (const op of file.pending) {
        if (keep === 0) break;
        const size = op.kind === 'write' ? op.bytes.length : 1;
        file.durable.apply(op, keep);
        keep -= Math.min(size, keep);
      }
    }
    file.pending = [];
    file.current = file.durable.copy();
  }

  private zeroFill(fd: FileHandle, length: number): Promise<void> {
    try {
      const size = this.size(fd);
      if (length > size) this.write(fd, new Uint8Array(length - size), 0, length - size, size);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.syncFile(fd, 'fallocate');
  }

  private syncFile(fd: FileHandle, syscall: string): Promise<void> {
    let h: { file: SimFile; path: string };
    try {
      h = this.handle(fd, syscall);
    } catch (error) {
      return Promise.reject(error);
    }
    const upTo = h.file.seq;
    return this.later(syscall, h.path, () => {
      this.counters.datasyncs++;
      const file = h.file;
      let n = 0;
      while (n < file.pending.length && file.pending[n].seq <= upTo) file.durable.apply(file.pending[n++]);
      file.pending.splice(0, n);
    });
  }

  /** Settles after 1-4 microtask hops; fails if a crash happened meanwhile or a sync fault is set. */
  private later(syscall: string, file: string, effect: () => void): Promise<void> {
    const generation = this.generation;
    let hops = this.prng.nextInt(4);
    return new Promise((resolve, reject) => {
      const step = () => {
        if (hops-- > 0) return queueMicrotask(step);
        if (generation !== this.generation) return reject(simError('EBADF', syscall, file));
        if (syscall !== 'mkdir' && this.syncFaults.count > 0) {
          this.syncFaults.count--;
          return reject(simError(this.syncFaults.code, syscall, file));
        }
        effect();
        resolve();
      };
      queueMicrotask(step);
    });
  }

  private record(file: SimFile, op: Op): void {
    op.seq = ++file.seq;
    file.current.apply(op);
    file.pending.push(op);
  }

  private handle(fd: FileHandle, syscall: string): { file: SimFile; path: string } {
    const h = this.handles.get(fd);
    if (h === undefined) throw simError('EBADF', syscall, `fd ${fd}`);
    return h;
  }

  private resolve(file: string): string {
    return path.posix.resolve('/', file);
  }

  private lookup(full: string): SimFile | SimDir | undefined {
    let node: SimFile | SimDir = this.root;
    for (const part of full.split('/').filter(Boolean)) {
      if (!(node instanceof SimDir)) return undefined;
      const next: SimFile | SimDir | undefined = node.children.get(part);
      if (next === undefined) return undefined;
      node = next;
    }
    return node;
  }

  private parent(file: string, syscall: string): { dir: SimDir; name: string; full: string } {
    const full = this.resolve(file);
    const dir = this.lookup(path.posix.dirname(full));
    if (!(dir instanceof SimDir)) throw simError('ENOENT', syscall, full);
    return { dir, name: path.posix.basename(full), full };
  }
}
