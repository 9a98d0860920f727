/**
 * The dedup window as of the compaction point. The state machine's window is exact only at the
 * applied index, but retention compacts at a segment boundary C below it, and the snapshot at C
 * must carry the window as it was when C was applied: a replica restored from it re-applies
 * C+1.. and must call exactly the same entries duplicates as everyone else did.
 *
 * This keeps a second window that starts from the last snapshot's (or empty) and replays the log
 * after it with the very decision the state machine applies (DedupWindow.observe), up to the
 * boundary being compacted. Equal inputs in equal order give an equal window, so it is exact by
 * construction, costs one sequential read of what is dropped (never of what is kept), and needs
 * no history of evictions. See docs/retention.md for the alternatives weighed.
 */
import type { DedupWindow } from './dedup-window.js';
import { decodeIndexFields } from './entries/payload.js';
import type { RaftStorage } from './raft-storage.js';
import { decodeMachineSnapshot, encodeMachineSnapshot } from './state-machine.js';

/** A dedup window that follows the log from the snapshot point up to `index`. */
export class RetentionWindow {
  #storage: RaftStorage | null = null;
  #window: DedupWindow;
  /** The window is exact as of this index (what a snapshot at `index` must carry). */
  #index = -1;
  /** The storage snapshot index the window was built from, or last compacted at. */
  #base = -1;

  /** `newWindow` makes an empty window with the state machine's bounds. */
  constructor(private readonly newWindow: () => DedupWindow) {
    this.#window = newWindow();
  }

  /** The index the window is exact at. */
  get index(): number {
    return this.#index;
  }

  /**
   * Makes the window continue `storage`'s snapshot: rebuilt from the snapshot's data when the
   * storage was replaced or a snapshot from the leader was installed under it.
   */
  sync(storage: RaftStorage): void {
    const snap = storage.snapshot();
    if (storage === this.#storage && (snap.index === this.#base || snap.index === this.#index)) {
      this.#base = snap.index;
      return;
    }
    this.#window = this.newWindow();
    // A node only ever stores snapshots with data (this file's, or a leader's made the same way).
    if (snap.data.length > 0) this.#window.restore(decodeMachineSnapshot(snap.data).window);
    this.#storage = storage;
    this.#base = snap.index;
    this.#index = snap.index;
  }

  /** True while `storage` is the one synced and its snapshot has not moved under the window. */
  follows(storage: RaftStorage): boolean {
    return storage === this.#storage && storage.snapshot().index === this.#base;
  }

  /**
   * Replays the committed entries after `index` up to `upTo` from the log, reading about
   * `maxBytes` of payload (at least one entry). Synchronous: call follows() first. Returns the
   * payload bytes read.
   */
  advance(storage: RaftStorage, upTo: number, maxBytes: number): number {
    if (this.#index >= upTo) return 0;
    const entries = storage.entries(this.#index + 1, upTo + 1, maxBytes);
    let bytes = 0;
    for (const entry of entries) {
      bytes += entry.data.length;
      this.#index = entry.index;
      if (entry.type !== 'normal') continue;
      const fields = decodeIndexFields(entry.data);
      this.#window.observe(fields.id, entry.index, entry.term, fields.acceptedAtMs);
    }
    return bytes;
  }

  /** State machine snapshot data exact at `index` (the format StateMachine.restore reads). */
  snapshotData(): Uint8Array {
    return encodeMachineSnapshot(this.#index, this.#window);
  }
}
