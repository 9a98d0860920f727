/**
 * A test double for the replicated log under the StateMachine: an in-memory array of entries with
 * the same read contract as the Raft log (entry at index, undefined once compacted). The real log
 * comes with StorageNode and is tested there.
 */

import { encodeEntry } from '../../lib/node/entries/payload.js';
import { validateEntry } from '../../lib/node/entries/validate.js';
import {
  type ApplyResult,
  StateMachine,
  type StateMachineOptions,
  type StoredEntry,
} from '../../lib/node/state-machine.js';

export class MemoryLog {
  readonly entries = new Map<number, StoredEntry>();
  lastIndex = 0;
  term = 1;

  append(payload: Uint8Array): StoredEntry {
    const entry = { index: ++this.lastIndex, term: this.term, payload };
    this.entries.set(entry.index, entry);
    return entry;
  }

  /** Forgets entries below `index` (what compaction does to the real log). */
  compact(index: number): void {
    for (const key of this.entries.keys()) if (key < index) this.entries.delete(key);
  }

  read = (index: number): StoredEntry | undefined => this.entries.get(index);
}

/** A machine over a memory log, with a helper that validates, encodes, appends and applies. */
export function machine(options: Partial<StateMachineOptions> = {}) {
  const log = new MemoryLog();
  const sm = new StateMachine({ readEntry: log.read, ...options });
  let clockMs = Date.parse('2024-05-01T00:00:00Z');
  const write = (raw: Record<string, unknown>, nowMs?: number): ApplyResult => {
    clockMs = nowMs ?? clockMs + 1000;
    const stored = log.append(encodeEntry(validateEntry(raw), { nodeId: 'node1', nowMs: clockMs }));
    return sm.apply(stored.index, stored.term, stored.payload);
  };
  return { log, sm, write };
}
