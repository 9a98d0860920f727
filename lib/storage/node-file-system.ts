/**
 * FileSystem over node:fs. Reads, writes and truncation use the synchronous calls (they only
 * touch the page cache); fdatasync, fsync and the directory fsync use the callback API, which
 * runs them on libuv's thread pool so the event loop keeps serving while the disk flushes;
 * `datasyncNow` is the synchronous fdatasync the log uses for small rounds (group-commit.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FileHandle, FileSystem, OpenMode } from './file-system.js';

const FLAGS: Record<OpenMode, number> = {
  existing: fs.constants.O_RDWR,
  create: fs.constants.O_RDWR | fs.constants.O_CREAT,
  replace: fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_TRUNC,
};

/** Zeros written per thread-pool call when preallocating: large enough for few calls, small enough to share the pool. */
const PREALLOCATE_CHUNK_BYTES = 1024 * 1024;

/** Permissions of created files: owner read-write, others read. */
const FILE_MODE = 0o644;

function callback(resolve: () => void, reject: (e: Error) => void) {
  return (err: Error | null) => (err ? reject(err) : resolve());
}

/** The real disk. Stateless: one instance may serve every log in the process. */
export class NodeFileSystem implements FileSystem {
  open(file: string, mode: OpenMode): FileHandle {
    return fs.openSync(file, FLAGS[mode], FILE_MODE);
  }

  close(fd: FileHandle): void {
    fs.closeSync(fd);
  }

  read(fd: FileHandle, buffer: Uint8Array, offset: number, length: number, position: number): number {
    return fs.readSync(fd, buffer, offset, length, position);
  }

  write(fd: FileHandle, buffer: Uint8Array, offset: number, length: number, position: number): void {
    let done = 0;
    while (done < length) {
      done += fs.writeSync(fd, buffer, offset + done, length - done, position + done);
    }
  }

  truncate(fd: FileHandle, length: number): void {
    fs.ftruncateSync(fd, length);
  }

  size(fd: FileHandle): number {
    return fs.fstatSync(fd).size;
  }

  datasync(fd: FileHandle): Promise<void> {
    return new Promise((resolve, reject) => fs.fdatasync(fd, callback(resolve, reject)));
  }

  datasyncNow(fd: FileHandle): void {
    fs.fdatasyncSync(fd);
  }

  fsync(fd: FileHandle): Promise<void> {
    return new Promise((resolve, reject) => fs.fsync(fd, callback(resolve, reject)));
  }

  async preallocate(fd: FileHandle, length: number): Promise<void> {
    const zeros = Buffer.alloc(PREALLOCATE_CHUNK_BYTES);
    for (let at = this.size(fd); at < length; ) {
      const n = Math.min(zeros.length, length - at);
      const written = await new Promise<number>((resolve, reject) =>
        fs.write(fd, zeros, 0, n, at, (err, bytes) => (err ? reject(err) : resolve(bytes))),
      );
      at += written;
    }
    await this.datasync(fd);
  }

  async syncDir(dir: string): Promise<void> {
    const fd = await new Promise<number>((resolve, reject) =>
      fs.open(dir, fs.constants.O_RDONLY, (err, handle) => (err ? reject(err) : resolve(handle))),
    );
    try {
      await this.fsync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  async mkdir(dir: string): Promise<void> {
    const first = await fs.promises.mkdir(dir, { recursive: true });
    if (first === undefined) return;
    // Every directory created must be made durable in its parent, top-down.
    const created: string[] = [];
    for (let d = path.resolve(dir); ; d = path.dirname(d)) {
      created.unshift(d);
      if (d === path.resolve(first) || d === path.dirname(d)) break;
    }
    for (const d of created) await this.syncDir(path.dirname(d));
  }

  readdir(dir: string): string[] {
    return fs.readdirSync(dir);
  }

  rename(from: string, to: string): void {
    fs.renameSync(from, to);
  }

  unlink(file: string): void {
    fs.unlinkSync(file);
  }

  exists(file: string): boolean {
    return fs.existsSync(file);
  }
}
