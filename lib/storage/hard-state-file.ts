/**
 * Raft's hard state (term, vote, commit) in its own small file, `hard-state` in the given
 * directory, replaced atomically (AtomicFile) on every save. Stored as JSON inside the CRC frame:
 * tiny, rarely written, and readable with a hex dump when debugging.
 */
import path from 'node:path';
import { LogClusterError } from '../errors.js';
import { AtomicFile } from './atomic-file.js';
import type { FileSystem } from './file-system.js';

/** Name of the hard state file inside its directory. */
export const HARD_STATE_FILE_NAME = 'hard-state';

/** What Raft must persist before answering: current term, vote in that term, commit index. */
export interface StoredHardState {
  term: number;
  vote: string | null;
  commit: number;
}

/** The hard state file of one node. */
export class HardStateFile {
  private readonly file: AtomicFile;
  private dirReady = false;

  constructor(
    private readonly fs: FileSystem,
    private readonly dir: string,
  ) {
    this.file = new AtomicFile(fs, path.join(dir, HARD_STATE_FILE_NAME));
  }

  /** The last saved state, or undefined when none was ever saved. STORAGE_CORRUPT when damaged. */
  async load(): Promise<StoredHardState | undefined> {
    const bytes = await this.file.read();
    if (bytes === undefined) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      value = undefined;
    }
    if (!isHardState(value)) {
      throw new LogClusterError('STORAGE_CORRUPT', `${this.file.path} does not hold a valid hard state`, {
        path: this.file.path,
      });
    }
    return { term: value.term, vote: value.vote, commit: value.commit };
  }

  /** Saves durably (resolves after the rename is fsynced). Saves apply in call order. */
  async save(state: StoredHardState): Promise<void> {
    if (!isHardState(state)) {
      throw new LogClusterError(
        'INVALID_OPTION',
        'hard state needs integer term and commit >= 0, vote string or null',
      );
    }
    if (!this.dirReady) {
      await this.fs.mkdir(this.dir);
      this.dirReady = true;
    }
    const json = JSON.stringify({ term: state.term, vote: state.vote, commit: state.commit });
    await this.file.write(new TextEncoder().encode(json));
  }
}

function isHardState(v: unknown): v is StoredHardState {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  const count = (x: unknown) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
  return count(s.term) && count(s.commit) && (s.vote === null || typeof s.vote === 'string');
}
