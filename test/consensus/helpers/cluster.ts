/**
 * A tiny deterministic message pump for consensus tests: N real Raft cores over MemoryStorage,
 * a FIFO message queue, partitions and a drop filter. Every Ready is handled exactly as the
 * contract says (persist, then send, then apply, then advance).
 */
import { applyChange, decodeConfigChange, Raft, type RaftOptions } from '../../../lib/consensus/index.js';
import type {
  ClusterConfig,
  Entry,
  Message,
  NodeId,
  ProposeResult,
  ReadRefusal,
  ReadState,
  Ready,
} from '../../../lib/consensus/types.js';
import { Prng } from '../../../lib/prng.js';
import { MemoryStorage } from './memory-storage.js';

export interface TestNode {
  readonly id: NodeId;
  raft: Raft;
  readonly storage: MemoryStorage;
  applied: Entry[];
  /** Index of the last applied entry (or installed snapshot). */
  appliedIndex: number;
  /** Membership as of appliedIndex (what a snapshot taken there must carry). */
  appliedConfig: ClusterConfig;
  readStates: ReadState[];
  readRefusals: ReadRefusal[];
  up: boolean;
  /** Async mode: the Ready handed out and not yet persisted. */
  pending: Ready | null;
}

export type NodeOptions = Partial<Omit<RaftOptions, 'id' | 'storage' | 'random'>>;

export interface ClusterOptions {
  readonly voters: readonly NodeId[];
  readonly learners?: readonly NodeId[];
  readonly seed?: number;
  readonly options?: NodeOptions;
  readonly perNode?: Readonly<Record<NodeId, NodeOptions>>;
}

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
export const dec = (d: Uint8Array): string => new TextDecoder().decode(d);

/** One-line rendering of a message, for traces and assertion messages. */
export function describe(m: Message): string {
  const head = `${m.type} ${m.from}->${m.to} t${m.term}`;
  switch (m.type) {
    case 'append':
      return `${head} prev=${m.prevIndex}/${m.prevTerm} n=${m.entries.length} c=${m.commit}`;
    case 'append-response':
      return `${head} ${m.success ? 'ok' : 'rej'} i=${m.index} h=${m.hintIndex}/${m.hintTerm}`;
    case 'vote':
    case 'pre-vote':
      return `${head} last=${m.lastIndex}/${m.lastTerm}${m.transfer ? ' transfer' : ''}`;
    case 'vote-response':
    case 'pre-vote-response':
      return `${head} ${m.granted}`;
    case 'heartbeat':
      return `${head} c=${m.commit} ctx=${m.context}`;
    case 'snapshot':
      return `${head} snap=${m.snapshot.index}/${m.snapshot.term}`;
    default:
      return head;
  }
}

export class TestCluster {
  readonly nodes = new Map<NodeId, TestNode>();
  queue: Message[] = [];
  readonly trace: string[] = [];
  /** Every message delivered so far. */
  readonly delivered: Message[] = [];
  /** When true, drain() leaves each Ready pending until completePersist() (a slow disk). */
  asyncPersist = false;
  /** Return false to drop a message at delivery. */
  filter: (m: Message) => boolean = () => true;
  private readonly cuts = new Set<string>();
  private readonly seed: number;
  private readonly options: ClusterOptions;

  constructor(options: ClusterOptions) {
    this.options = options;
    this.seed = options.seed ?? 1;
    const config: ClusterConfig = { voters: [...options.voters], learners: [...(options.learners ?? [])] };
    for (const id of [...config.voters, ...config.learners]) this.add(id, config);
  }

  /** Adds a node with a fresh storage bootstrapped with `config`. */
  add(id: NodeId, config: ClusterConfig, storage = new MemoryStorage(config)): TestNode {
    const node: TestNode = {
      id,
      raft: this.makeRaft(id, storage),
      storage,
      applied: [],
      appliedIndex: storage.snapshot().index,
      appliedConfig: storage.snapshot().index > 0 ? storage.snapshot().config : config,
      readStates: [],
      readRefusals: [],
      up: true,
      pending: null,
    };
    this.nodes.set(id, node);
    return node;
  }

  private makeRaft(id: NodeId, storage: MemoryStorage): Raft {
    const index = [...this.nodes.keys()].indexOf(id);
    return new Raft({
      id,
      storage,
      random: new Prng(this.seed * 1000 + (index < 0 ? this.nodes.size : index)),
      ...this.options.options,
      ...this.options.perNode?.[id],
    });
  }

  node(id: NodeId): TestNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`no node ${id}`);
    return node;
  }

  raft(id: NodeId): Raft {
    return this.node(id).raft;
  }

  /** Handles every Ready of `id` per the contract. */
  drain(id: NodeId): void {
    const node = this.node(id);
    while (node.up && node.pending === null && node.raft.hasReady()) {
      const ready = node.raft.ready();
      if (this.asyncPersist) {
        node.pending = ready; // persisted later by completePersist(); the core keeps taking input
        return;
      }
      this.finish(node, ready);
    }
  }

  /** Async mode: the pending Ready of `id` reaches the disk now; then it is sent, applied, advanced. */
  completePersist(id: NodeId): void {
    const node = this.node(id);
    const ready = node.pending;
    if (!node.up || ready === null) return;
    node.pending = null;
    this.finish(node, ready);
    this.drain(id);
  }

  private finish(node: TestNode, ready: Ready): void {
    node.storage.persist(ready);
    this.queue.push(...ready.messages);
    if (ready.snapshot !== null) {
      node.appliedIndex = ready.snapshot.index;
      node.appliedConfig = ready.snapshot.config;
    }
    for (const entry of ready.committed) {
      if (entry.index !== node.appliedIndex + 1)
        throw new Error(`${node.id} applied ${entry.index} after ${node.appliedIndex}`);
      node.applied.push(entry);
      node.appliedIndex = entry.index;
      if (entry.type === 'config')
        node.appliedConfig = applyChange(node.appliedConfig, decodeConfigChange(entry.data));
    }
    node.readStates.push(...ready.readStates);
    node.readRefusals.push(...(ready.readRefusals ?? []));
    node.raft.advance(ready);
  }

  private canDeliver(m: Message): boolean {
    const to = this.nodes.get(m.to);
    const from = this.nodes.get(m.from);
    if (to === undefined || !to.up || from === undefined || !from.up) return false;
    if (this.cuts.has(`${m.from}|${m.to}`)) return false;
    return this.filter(m);
  }

  /** Delivers queued messages (FIFO) until quiet. */
  deliverAll(maxMessages = 200_000): void {
    for (let n = 0; n < maxMessages; n++) {
      for (const id of this.nodes.keys()) this.drain(id);
      const m = this.queue.shift();
      if (m === undefined) return;
      if (!this.canDeliver(m)) continue;
      this.trace.push(describe(m));
      this.delivered.push(m);
      this.node(m.to).raft.step(m);
    }
    throw new Error('message storm: the cluster did not go quiet');
  }

  /** Delivers only the messages queued now (one round trip leg), dropping none. */
  deliverRound(): number {
    for (const id of this.nodes.keys()) this.drain(id);
    const batch = this.queue;
    this.queue = [];
    for (const m of batch) {
      if (!this.canDeliver(m)) continue;
      this.trace.push(describe(m));
      this.delivered.push(m);
      this.node(m.to).raft.step(m);
    }
    for (const id of this.nodes.keys()) this.drain(id);
    return batch.length;
  }

  tick(times = 1): void {
    for (let i = 0; i < times; i++) {
      for (const node of this.nodes.values()) if (node.up) node.raft.tick();
      this.deliverAll();
    }
  }

  /** Cuts both directions between `a` and every node in `others` (default: everyone else). */
  isolate(a: NodeId, others: readonly NodeId[] = [...this.nodes.keys()]): void {
    for (const b of others) {
      if (b === a) continue;
      this.cuts.add(`${a}|${b}`);
      this.cuts.add(`${b}|${a}`);
    }
  }

  /** Cuts messages from `a` to `b` only. */
  cutOneWay(a: NodeId, b: NodeId): void {
    this.cuts.add(`${a}|${b}`);
  }

  heal(): void {
    this.cuts.clear();
  }

  /** Stops a node (its storage survives) and drops its queued messages. */
  crash(id: NodeId): void {
    const node = this.node(id);
    node.up = false;
    node.pending = null; // an unpersisted Ready is lost with the process
  }

  /** Restarts a node from its storage: a new core, the application re-applies from the snapshot. */
  restart(id: NodeId): void {
    const node = this.node(id);
    node.raft = this.makeRaft(id, node.storage);
    node.applied = [];
    node.appliedIndex = node.storage.snapshot().index;
    node.appliedConfig =
      node.appliedIndex > 0 ? node.storage.snapshot().config : node.storage.initialState().config;
    node.up = true;
  }

  /** The node that is leader in the highest term, if any. */
  leader(): TestNode | undefined {
    let best: TestNode | undefined;
    for (const node of this.nodes.values()) {
      if (!node.up) continue;
      const s = node.raft.status();
      if (s.role === 'leader' && (best === undefined || s.term > best.raft.status().term)) best = node;
    }
    return best;
  }

  /** Ticks until some node leads (throws after `maxTicks`). */
  waitLeader(maxTicks = 200): TestNode {
    for (let i = 0; i < maxTicks; i++) {
      const leader = this.leader();
      if (leader !== undefined) return leader;
      this.tick();
    }
    throw new Error('no leader elected');
  }

  /** Makes `id` leader by campaigning it, then settles. */
  elect(id: NodeId): TestNode {
    this.raft(id).campaign();
    this.deliverAll();
    const s = this.raft(id).status();
    if (s.role !== 'leader') throw new Error(`${id} did not win: ${s.role} t${s.term}`);
    return this.node(id);
  }

  propose(id: NodeId, ...payloads: string[]): ProposeResult {
    return this.raft(id).propose(payloads.map(enc));
  }

  /** Normal entries applied on `id`, decoded. */
  appliedData(id: NodeId): string[] {
    return this.node(id)
      .applied.filter((e) => e.type === 'normal')
      .map((e) => dec(e.data));
  }
}

/** Ticks until a live node leads in a term above `term`; undefined if none within `max`. */
export function ticksToNewLeader(c: TestCluster, term: number, max: number): number | undefined {
  for (let i = 1; i <= max; i++) {
    c.tick();
    const leader = c.leader();
    if (leader !== undefined && leader.raft.status().term > term) return i;
  }
  return undefined;
}
