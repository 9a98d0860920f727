/**
 * When a node saves its local checkpoint and how it starts from one (the format: checkpoint.ts).
 *
 * Saving: at a graceful stop, and while running once enough entries were applied since the last
 * one — a quarter of the live entries, at least CHECKPOINT_ENTRIES_MIN, at most once per
 * CHECKPOINT_GAP_MS — so a crash (no stop) replays a bounded tail and the cost of saving, which
 * grows with the index, stays a constant share of the cost of applying. The state is copied in
 * one synchronous step (tens of ms for millions of entries); checksum and writes then run in
 * slices between event-loop turns.
 *
 * Starting: the checkpoint is used only when the log agrees with it (it holds the applied index at
 * the same term, and no snapshot beyond it); otherwise the node replays the log, as it always could.
 */

import { setImmediate as nextTurn } from 'node:timers/promises';
import type { FileSystem } from '../storage/index.js';
import type { Checkpoint } from './checkpoint.js';
import { readCheckpoint, writeCheckpoint } from './checkpoint-file.js';
import type { KnownConfigs, RaftStorage } from './raft-storage.js';
import type { StateMachine } from './state-machine.js';

/** The checkpoint's file name in the node's data directory (next to `raft/`). */
export const CHECKPOINT_FILE_NAME = 'state-checkpoint';

/** Applied entries before a periodic checkpoint is worth its cost (< 1 s of replay below it). */
export const CHECKPOINT_ENTRIES_MIN = 100_000;

/** A periodic checkpoint waits for live entries / this many new ones (bounds write amplification). */
export const CHECKPOINT_GROWTH_DIVISOR = 4;

/** Least time between periodic checkpoints: bounds the disk bandwidth they take under heavy writes. */
export const CHECKPOINT_GAP_MS = 10_000;

/** Why a start did not use the checkpoint (undefined when it did). */
export type CheckpointRefusal = string | undefined;

/** Saves and loads one node's checkpoint. */
export class Checkpointer {
  readonly #fs: FileSystem;
  readonly #file: string;
  readonly #entriesMin: number;
  /** Applied index of the newest checkpoint on disk (0: none known). */
  #savedIndex = 0;
  #savedAtMs = 0;
  #writing: Promise<void> | null = null;

  /** `entriesMin` lowers CHECKPOINT_ENTRIES_MIN (tests). */
  constructor(fs: FileSystem, file: string, entriesMin = CHECKPOINT_ENTRIES_MIN) {
    this.#fs = fs;
    this.#file = file;
    this.#entriesMin = entriesMin;
  }

  /** Applied index of the newest checkpoint written or loaded (0: none). */
  get savedIndex(): number {
    return this.#savedIndex;
  }

  /** The checkpoint on disk, or why there is none usable in itself. Never throws. */
  load(): { checkpoint: Checkpoint } | { missing: string } {
    return readCheckpoint(this.#fs, this.#file);
  }

  /**
   * Restores `machine` from `checkpoint` when `storage` agrees with it, and raises the storage's
   * commit to its applied index. Returns the applied index restored (0 and the reason when not).
   */
  restore(
    checkpoint: Checkpoint,
    storage: RaftStorage,
    machine: StateMachine,
  ): { applied: number; refusal: CheckpointRefusal } {
    const applied = checkpoint.machine.applied;
    const snapIndex = storage.snapshot().index;
    if (applied > storage.lastIndex()) return refuse(`its index ${applied} is past the log's end`);
    if (applied < snapIndex) return refuse(`its index ${applied} is below the snapshot ${snapIndex}`);
    if (storage.term(applied) !== checkpoint.appliedTerm)
      return refuse(`the log has another term at ${applied}`);
    try {
      machine.importState(checkpoint.machine);
    } catch (error) {
      return refuse(`its state is inconsistent (${(error as Error).message})`);
    }
    machine.dropBefore(snapIndex + 1);
    storage.recoverCommit(applied);
    this.#savedIndex = applied;
    this.#savedAtMs = Date.now();
    return { applied, refusal: undefined };
  }

  /** Starts a periodic checkpoint when due (call often, e.g. every tick); never throws. */
  maybeSave(machine: StateMachine, storage: RaftStorage, onError: (error: unknown) => void): void {
    if (this.#writing !== null) return;
    const fresh = machine.appliedIndex - this.#savedIndex;
    if (fresh < this.#entriesMin || Date.now() - this.#savedAtMs < CHECKPOINT_GAP_MS) return;
    if (fresh < machine.stats().entries / CHECKPOINT_GROWTH_DIVISOR) return;
    this.#savedAtMs = Date.now(); // a failing disk is retried after the gap, not on every tick
    this.#writing = this.#save(machine, storage)
      .catch(onError)
      .finally(() => {
        this.#writing = null;
      });
  }

  /**
   * Saves a checkpoint of the state as it is now unless the newest one is already at the applied
   * index (a graceful stop: apply must be stopped). Waits for a periodic one in progress first.
   * Rejects on an I/O error.
   */
  async saveNow(machine: StateMachine, storage: RaftStorage): Promise<void> {
    await this.#writing;
    if (machine.appliedIndex <= this.#savedIndex) return;
    await this.#save(machine, storage);
  }

  async #save(machine: StateMachine, storage: RaftStorage): Promise<void> {
    const checkpoint = await capture(machine, storage);
    if (checkpoint === undefined) return;
    await writeCheckpoint(this.#fs, this.#file, checkpoint);
    this.#savedIndex = Math.max(this.#savedIndex, checkpoint.machine.applied);
  }
}

/**
 * The machine's state with the term and config entries as of its applied index at the call
 * (undefined: nothing to save). The id table is read afterwards, between event-loop turns.
 */
export async function capture(machine: StateMachine, storage: RaftStorage): Promise<Checkpoint | undefined> {
  const applied = machine.appliedIndex;
  const term = storage.term(applied);
  // Nothing applied yet, or a snapshot from the leader covers the applied index: nothing to save.
  if (applied === 0 || term === undefined || applied < storage.snapshot().index) return undefined;
  const configs: KnownConfigs = {
    throughIndex: applied,
    throughTerm: term,
    snapshotIndex: storage.snapshot().index,
    configs: storage.configHistory().filter((c) => c.index <= applied),
  };
  const state = await machine.exportState(nextTurn);
  return state === undefined ? undefined : { appliedTerm: term, machine: state, configs };
}

function refuse(reason: string): { applied: number; refusal: CheckpointRefusal } {
  return { applied: 0, refusal: reason };
}
