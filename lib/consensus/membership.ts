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

/** The config in force from `index` on (the result of the config entry at `index`). */
export interface ConfigPoint {
  readonly index: number;
  readonly config: ClusterConfig;
}

/**
 * The membership a node currently acts on: a committed base plus the configs produced by the
 * config entries appended after it, in log order.
 */
export class Membership {
  private base: ClusterConfig;
  private baseIndex: number;
  private pending: ConfigPoint[] = [];

  constructor(base: ClusterConfig, baseIndex: number) {
    this.base = base;
    this.baseIndex = baseIndex;
  }

  /** The config of the latest committed config entry (or of the snapshot / bootstrap). */
  get committed(): ClusterConfig {
    return this.base;
  }

  /** The effective config (the latest appended one). */
  get current(): ClusterConfig {
    return this.pending.at(-1)?.config ?? this.base;
  }

  /** Follows an append that truncated from entries[0].index. True when the config changed. */
  onAppend(entries: readonly Entry[]): boolean {
    if (entries.length === 0) return false;
    const before = this.current;
    this.truncateFrom(entries[0].index);
    for (const entry of entries) {
      if (entry.type !== 'config') continue;
      this.push({ index: entry.index, config: applyChange(this.current, decodeConfigChange(entry.data)) });
    }
    return !sameConfig(before, this.current);
  }

  /** Adopts configs the storage already derived from the log (LogStorage.configHistory). */
  replay(points: readonly ConfigPoint[]): void {
    for (const point of points) if (point.index > this.baseIndex) this.push(point);
  }

  /** Folds the configs at or below `commit` into the base (they can never be undone). */
  onCommit(commit: number): void {
    while (this.pending.length > 0 && this.pending[0].index <= commit) {
      const next = this.pending.shift()!;
      this.base = next.config;
      this.baseIndex = next.index;
    }
  }

  /** True while a config entry is appended but not committed (one change at a time). */
  hasUncommitted(): boolean {
    return this.pending.length > 0;
  }

  /** Replaces everything with the config carried by a snapshot. True when the config changed. */
  restore(snapshot: Snapshot): boolean {
    const before = this.current;
    this.base = snapshot.config;
    this.baseIndex = snapshot.index;
    this.pending = [];
    return !sameConfig(before, this.current);
  }

  private push(point: ConfigPoint): void {
    const last = this.pending.at(-1)?.index ?? this.baseIndex;
    assert(point.index > last, `config entry ${point.index} not after ${last}`);
    this.pending.push(point);
  }

  private truncateFrom(index: number): void {
    while (this.pending.length > 0 && this.pending[this.pending.length - 1].index >= index)
      this.pending.pop();
  }
}

function sameConfig(a: ClusterConfig, b: ClusterConfig): boolean {
  const same = (x: readonly NodeId[], y: readonly NodeId[]) =>
    x.length === y.length && x.every((id, i) => id === y[i]);
  return same(a.voters, b.voters) && same(a.learners, b.learners);
}
