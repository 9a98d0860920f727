/**
 * A small file replaced atomically: the new contents go to `<path>.tmp`, which is fsynced, renamed
 * over `<path>`, and the directory fsynced. A crash leaves either the old or the new contents.
 * Contents are framed as: u32 magic "LCAF", u32 length, u32 CRC32C of (magic, length, data), data;
 * a torn or damaged file reads as STORAGE_CORRUPT, never as garbage.
 */
import path from 'node:path';
import { LogClusterError } from '../errors.js';
import { crc32c } from './crc32c.js';
import type { FileSystem } from './file-system.js';
import { errnoCode, ioError } from './io-error.js';
import { readU32, writeU32 } from './record-format.js';

const MAGIC = 0x46414c43; // "LCAF" read as a little-endian u32
const HEAD_BYTES = 12;

/** Largest content of an atomic file (1 MiB): these are small state files, read whole. */
export const ATOMIC_FILE_BYTES_MAX = 1024 * 1024;

/** Suffix of the temporary file a write goes through. */
export const ATOMIC_TEMP_SUFFIX = '.tmp';

/** A small file replaced atomically; writes through one instance are applied in call order. */
export class AtomicFile {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly fs: FileSystem,
    readonly path: string,
  ) {}

  /** The contents, or undefined when the file does not exist. Throws STORAGE_CORRUPT when damaged. */
  async read(): Promise<Uint8Array | undefined> {
    let fd: number;
    try {
      fd = this.fs.open(this.path, 'existing');
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return undefined;
      throw ioError(error, 'opening', this.path);
    }
    try {
      const size = this.fs.size(fd);
      if (size > HEAD_BYTES + ATOMIC_FILE_BYTES_MAX) return this.corrupt(`is ${size} bytes long`);
      const buf = new Uint8Array(size);
      let got = 0;
      while (got < size) {
        const r = this.fs.read(fd, buf, got, size - got, got);
        if (r === 0) break;
        got += r;
      }
      if (got < HEAD_BYTES || readU32(buf, 0) !== MAGIC) return this.corrupt('has no valid header');
      const length = readU32(buf, 4);
      if (HEAD_BYTES + length !== got) return this.corrupt('has the wrong length (torn write?)');
      const crc = crc32c(buf, HEAD_BYTES, got, crc32c(buf, 0, 8));
      if (crc !== readU32(buf, 8)) return this.corrupt('fails its checksum');
      return buf.slice(HEAD_BYTES);
    } catch (error) {
      throw ioError(error, 'reading', this.path);
    } finally {
      this.fs.close(fd);
    }
  }

  /** Replaces the contents durably; resolves once a crash can no longer bring the old ones back. */
  write(data: Uint8Array): Promise<void> {
    if (data.length > ATOMIC_FILE_BYTES_MAX) {
      return Promise.reject(new LogClusterError('INVALID_OPTION', `${this.path}: content is too large`));
    }
    const next = this.chain.then(() => this.replace(data));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async replace(data: Uint8Array): Promise<void> {
    const buf = new Uint8Array(HEAD_BYTES + data.length);
    writeU32(buf, 0, MAGIC);
    writeU32(buf, 4, data.length);
    buf.set(data, HEAD_BYTES);
    writeU32(buf, 8, crc32c(buf, HEAD_BYTES, buf.length, crc32c(buf, 0, 8)));
    const temp = this.path + ATOMIC_TEMP_SUFFIX;
    let step = 'writing';
    try {
      const fd = this.fs.open(temp, 'replace');
      try {
        this.fs.write(fd, buf, 0, buf.length, 0);
        step = 'syncing';
        await this.fs.fsync(fd);
      } finally {
        this.fs.close(fd);
      }
      step = 'renaming';
      this.fs.rename(temp, this.path);
      step = 'syncing the directory of';
      await this.fs.syncDir(path.dirname(this.path));
    } catch (error) {
      throw ioError(error, step, this.path);
    }
  }

  private corrupt(why: string): never {
    throw new LogClusterError('STORAGE_CORRUPT', `${this.path} ${why}`, { path: this.path });
  }
}
