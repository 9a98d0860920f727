/**
 * Polls every node's /health on a short period with a short timeout and turns the answers into
 * the cluster's typed events. A paused process answers nothing (timeout), a dead one refuses the
 * connection, an isolated one answers but cannot serve while the others have a leader; each is
 * noticed within about HEALTH_INTERVAL_MS + HEALTH_TIMEOUT_MS.
 */
import { EventEmitter } from 'node:events';
import { LogClusterError } from '../errors.js';
import type { ClusterEventMap, NodeDownReason } from './events.js';

/** Poll period: 4 probes a second per node keeps detection well under a second, cheaply. */
export const HEALTH_INTERVAL_MS = 250;
/** A loopback /health answers in a few ms; silence this long means paused or hung. */
export const HEALTH_TIMEOUT_MS = 400;

/**
 * Rounds a node must look cut off (unhealthy, or leader of an old term, while another node leads)
 * before it is called isolated: right after an election a follower may not have heard the new
 * leader's first heartbeat yet, and that is not a fault.
 */
export const SUSPECT_ROUNDS_MIN = 2;

/** The /health fields the monitor reads (API.md "Watching"). */
export interface HealthReply {
  readonly status: string;
  readonly role: string;
  readonly term: number;
  readonly leader_id: string | null;
  readonly commit_index: number;
  readonly applied_index: number;
}

/** One probe's outcome: an answer (200 or 503 with a body) or no answer. */
export type ProbeResult =
  | { readonly ok: true; readonly reply: HealthReply }
  | { readonly ok: false; readonly reason: 'unreachable' | 'timeout'; readonly detail: string };

/** What the monitor watches. */
export interface MonitoredNode {
  readonly id: string;
  readonly voter: boolean;
}

/** The monitor's latest view of one node. */
export interface NodeView {
  readonly id: string;
  readonly voter: boolean;
  readonly up: boolean;
  readonly reason: NodeDownReason | null;
  readonly detail: string;
  /** The last answer (kept while down so the table still shows the last known state). */
  readonly reply: HealthReply | null;
  readonly checkedAt: number;
}

/** Options; the probe does the HTTP (the manager passes one built on LogClusterClient). */
export interface HealthMonitorOptions {
  readonly nodes: readonly MonitoredNode[];
  readonly probe: (id: string) => Promise<ProbeResult>;
  readonly intervalMs?: number;
}

/** The health monitor. Emits node-down, node-up, leader-change, degraded, healthy. */
export class HealthMonitor extends EventEmitter<ClusterEventMap> {
  readonly #nodes: readonly MonitoredNode[];
  readonly #probe: (id: string) => Promise<ProbeResult>;
  readonly #intervalMs: number;
  readonly #views = new Map<string, NodeView>();
  /** Nodes the manager broke on purpose: reported down with that reason until cleared. */
  readonly #forced = new Map<string, NodeDownReason>();
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;
  /** Consecutive rounds each node looked cut off. */
  readonly #suspect = new Map<string, number>();
  #round: Promise<void> | null = null;
  #leader: { id: string | null; term: number } = { id: null, term: 0 };
  #down = '';

  constructor(options: HealthMonitorOptions) {
    super();
    this.#nodes = options.nodes;
    this.#probe = options.probe;
    this.#intervalMs = options.intervalMs ?? HEALTH_INTERVAL_MS;
  }

  /** Starts polling (first round immediately). Idempotent. */
  start(): void {
    this.#stopped = false;
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.poll(), this.#intervalMs);
    this.#timer.unref();
    void this.poll();
  }

  /** Stops polling; a round in flight finishes but emits nothing further. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Marks a node down for a known reason (the manager killed/paused/isolated it) until cleared. */
  force(id: string, reason: NodeDownReason | null): void {
    if (reason === null) this.#forced.delete(id);
    else this.#forced.set(id, reason);
  }

  /** The leader as last seen (null: none known) and its term. */
  get leader(): { readonly id: string | null; readonly term: number } {
    return this.#leader;
  }

  /** The latest view of every node, in configuration order. */
  views(): NodeView[] {
    return this.#nodes.map(
      (node) =>
        this.#views.get(node.id) ?? {
          id: node.id,
          voter: node.voter,
          up: false,
          reason: null,
          detail: 'not checked yet',
          reply: null,
          checkedAt: 0,
        },
    );
  }

  /** Probes every node once (rounds never overlap) and emits what changed. */
  poll(): Promise<void> {
    this.#round ??= this.#pollOnce().finally(() => {
      this.#round = null;
    });
    return this.#round;
  }

  async #pollOnce(): Promise<void> {
    const results = await Promise.all(
      this.#nodes.map((node): Promise<ProbeResult> | ProbeResult =>
        this.#forced.has(node.id)
          ? { ok: false, reason: 'unreachable', detail: 'forced' }
          : this.#probe(node.id),
      ),
    );
    if (this.#stopped) return;
    const at = Date.now();
    const answers = new Map<string, HealthReply>();
    results.forEach((result, i) => {
      if (result.ok) answers.set(this.#nodes[i].id, result.reply);
    });
    const leader = pickLeader(answers);
    const next = this.#nodes.map((node, i) => this.#judge(node, results[i], leader, at));
    for (const view of next) this.#transition(view);
    if (leader.id !== this.#leader.id) {
      const previousLeaderId = this.#leader.id;
      this.#leader = leader;
      this.emit('leader-change', { leaderId: leader.id, previousLeaderId, term: leader.term, at });
    } else this.#leader = leader;
    this.#emitDegraded(at);
  }

  #judge(
    node: MonitoredNode,
    result: ProbeResult,
    leader: { id: string | null; term: number },
    at: number,
  ): NodeView {
    const base = { id: node.id, voter: node.voter, checkedAt: at };
    const forced = this.#forced.get(node.id);
    const reply = result.ok ? result.reply : (this.#views.get(node.id)?.reply ?? null);
    if (forced) return { ...base, up: false, reason: forced, detail: `${forced} by the manager`, reply };
    if (!result.ok) return { ...base, up: false, reason: result.reason, detail: result.detail, reply };
    const r = result.reply;
    const ledElsewhere = leader.id !== null && leader.id !== node.id;
    const stale = ledElsewhere && r.role === 'leader';
    const cutOff = ledElsewhere && r.status === 'unhealthy';
    const rounds = stale || cutOff ? (this.#suspect.get(node.id) ?? 0) + 1 : 0;
    this.#suspect.set(node.id, rounds);
    if (rounds >= SUSPECT_ROUNDS_MIN) {
      const detail = stale ? `claims term ${r.term} < ${leader.term}` : `no leader seen (role ${r.role})`;
      return { ...base, up: false, reason: stale ? 'stale-leader' : 'isolated', detail, reply };
    }
    const before = this.#views.get(node.id);
    if (rounds > 0 && before && !before.up) return { ...before, checkedAt: at, reply };
    return { ...base, up: true, reason: null, detail: r.status, reply };
  }

  #transition(view: NodeView): void {
    const before = this.#views.get(view.id);
    this.#views.set(view.id, view);
    if (view.up && before?.up !== true) {
      this.emit('node-up', {
        id: view.id,
        role: view.reply?.role ?? 'unknown',
        term: view.reply?.term ?? 0,
        at: view.checkedAt,
      });
    } else if (!view.up && (before === undefined || before.up || before.reason !== view.reason)) {
      if (before === undefined && view.reason === null) return;
      this.emit('node-down', {
        id: view.id,
        reason: view.reason ?? 'unreachable',
        detail: view.detail,
        at: view.checkedAt,
      });
    }
  }

  #emitDegraded(at: number): void {
    const views = this.views();
    const down = views.filter((v) => !v.up).map((v) => v.id);
    const key = down.join(',');
    if (key === this.#down) return;
    const wasDegraded = this.#down !== '';
    this.#down = key;
    if (down.length === 0) {
      if (wasDegraded) this.emit('healthy', { at });
      return;
    }
    const voters = views.filter((v) => v.voter);
    const votersUp = voters.filter((v) => v.up).length;
    this.emit('degraded', {
      down,
      votersUp,
      votersTotal: voters.length,
      quorum: votersUp > voters.length / 2,
      at,
    });
  }
}

/** The node that answers as leader with the highest term (null when none does). */
export function pickLeader(answers: ReadonlyMap<string, HealthReply>): { id: string | null; term: number } {
  let best: { id: string | null; term: number } = { id: null, term: 0 };
  for (const [id, reply] of answers) {
    if (reply.role === 'leader' && (best.id === null || reply.term > best.term))
      best = { id, term: reply.term };
  }
  if (best.id === null) {
    for (const reply of answers.values()) best.term = Math.max(best.term, reply.term);
  }
  return best;
}

/** Poll period of waitForLeader: elections finish in ticks of ~50 ms. */
export const LEADER_POLL_MS = 50;

/**
 * Polls until some node answers as leader; resolves its id, or throws START_TIMEOUT naming the
 * wait after timeoutMs.
 */
export async function waitForLeader(monitor: HealthMonitor, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await monitor.poll();
    const { id } = monitor.leader;
    if (id !== null) return id;
    if (Date.now() >= deadline) {
      throw new LogClusterError('START_TIMEOUT', `no leader was elected within ${timeoutMs} ms`, {
        timeoutMs,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, LEADER_POLL_MS));
  }
}
