/**
 * Cluster membership with single-server changes (Raft dissertation §4.1). A config entry takes
 * effect as soon as it is appended to a node's log, committed or not, and is undone if the entry
 * is truncated. Each change sets one node's status (voter, learner or absent), so replaying a
 * sequence of changes is idempotent: the result depends only on the last change per node.
 */
import { assert } from '../assert.js';
import type { ClusterConfig, ConfigChange, Entry, NodeId, Snapshot } from './types.js';

/** True when `id` votes in `config`. */
export function isVoter(config: ClusterConfig, id: NodeId): boolean {
  return config.voters.includes(id);
}

/** True when `id` is a voter or a learner of `config`. */
export function isMember(config: ClusterConfig, id: NodeId): boolean {
  return config.voters.includes(id) || config.learners.includes(id);
}

/** Every member, voters first, in config order (the order messages are sent in). */
export function members(config: ClusterConfig): NodeId[] {
  return [...config.voters, ...config.learners];
}

/** The config after `change`. */
export function applyChange(config: ClusterConfig, change: ConfigChange): ClusterConfig {
  const voters = config.voters.filter((id) => id !== change.node);
  const learners = config.learners.filter((id) => id !== change.node);
  if (change.kind === 'add-voter') voters.push(change.node);
  if (change.kind === 'add-learner') learners.push(change.node);
  return { voters, learners };
}

/** The `data` of a config entry. */
export function encodeConfigChange(change: ConfigChange): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ kind: change.kind, node: change.node }));
}

/** Parses a config entry's data; a malformed one is a broken invariant (only the core writes them). */
export function decodeConfigChange(data: Uint8Array): ConfigChange {
  const parsed: unknown = JSON.parse(new TextDecoder().decode(data));
  assert(typeof parsed === 'object' && parsed !== null, 'config entry is not an object');
  const { kind, node } = parsed as { kind?: unknown; node?: unknown };
  assert(
    kind === 'add-voter' || kind === 'add-learner' || kind === 'remove',
    `bad config change kind ${String(kind)}`,
  );
  assert(typeof node === 'string' && node.length > 0, 'config change without a node');
  return { kind, node };
}

interface PendingChange {
  readonly index: number;
  readonly change: ConfigChange;
}

/**
 * The membership a node currently acts on: a committed base plus the config entries appended
 * after it, in log order.
 */
export class Membership {
  private base: ClusterConfig;
  private baseIndex: number;
  private pending: PendingChange[] = [];
  /** The effective config (base plus every appended change). */
  current: ClusterConfig;

  constructor(base: ClusterConfig, baseIndex: number) {
    this.base = base;
    this.baseIndex = baseIndex;
    this.current = base;
  }

  /** Follows an append that truncated from entries[0].index. True when the config changed. */
  onAppend(entries: readonly Entry[]): boolean {
    if (entries.length === 0) return false;
    const before = this.current;
    this.truncateFrom(entries[0].index);
    for (const entry of entries) {
      if (entry.type !== 'config') continue;
      assert(entry.index > this.baseIndex, 'config entry below the committed base');
      this.pending.push({ index: entry.index, change: decodeConfigChange(entry.data) });
    }
    this.recompute();
    return !sameConfig(before, this.current);
  }

  /** Folds the changes at or below `commit` into the base (they can never be undone). */
  onCommit(commit: number): void {
    while (this.pending.length > 0 && this.pending[0].index <= commit) {
      const next = this.pending.shift()!;
      this.base = applyChange(this.base, next.change);
      this.baseIndex = next.index;
    }
  }

  /** True while a config entry is appended but not committed (one change at a time). */
  hasUncommitted(): boolean {
    return this.pending.length > 0;
  }

  /** Index of the latest config entry, or of the base. */
  lastChangeIndex(): number {
    return this.pending.at(-1)?.index ?? this.baseIndex;
  }

  /** Replaces everything with the config carried by a snapshot. True when the config changed. */
  restore(snapshot: Snapshot): boolean {
    const before = this.current;
    this.base = snapshot.config;
    this.baseIndex = snapshot.index;
    this.pending = [];
    this.current = snapshot.config;
    return !sameConfig(before, this.current);
  }

  private truncateFrom(index: number): void {
    while (this.pending.length > 0 && this.pending[this.pending.length - 1].index >= index)
      this.pending.pop();
  }

  private recompute(): void {
    let config = this.base;
    for (const p of this.pending) config = applyChange(config, p.change);
    this.current = config;
  }
}

function sameConfig(a: ClusterConfig, b: ClusterConfig): boolean {
  const same = (x: readonly NodeId[], y: readonly NodeId[]) =>
    x.length === y.length && x.every((id, i) => id === y[i]);
  return same(a.voters, b.voters) && same(a.learners, b.learners);
}
