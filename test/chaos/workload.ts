/**
 * The chaos workload: writer clients append entries with unique ids and values, retrying an
 * attempt with the SAME ids on another node until it is acknowledged or its deadline passes;
 * reader clients read entries back by id and the newest page of /logs at every consistency
 * level. Each client is rate-bounded and waits for each answer, so the load is bounded too.
 */
import { LogClusterClient, type ReadConsistency } from '../../lib/index.js';
import { Prng } from '../../lib/prng.js';
import { codeOf, isInternal, readFailure, writeFailure } from './classify.js';
import type { History, LogsOp, Outcome, ReadOp, SeenEntry, WriteOp, WrittenEntry } from './history.js';
import type { ChaosOptions } from './options.js';

/** One attempt waits this long: past it the attempt is `unknown` and the write moves on. */
export const ATTEMPT_TIMEOUT_MS = 2_000;
/** A write is retried (same ids) for this long, then recorded as given up. */
export const WRITE_DEADLINE_MS = 8_000;
/** Backoff between attempts of one write: doubling from the first value up to the cap. */
export const RETRY_DELAY_MS = [25, 400] as const;
/** A read is one attempt with this deadline. */
export const READ_TIMEOUT_MS = 3_000;
/** Entries per /logs page a reader asks for (the newest ones). */
export const LOGS_PAGE_LIMIT = 50;
/** Acknowledged ids the readers pick from (the most recent ones: where staleness shows). */
export const RECENT_ACKED_MAX = 256;

/** Ids by fate, for readers to choose from. Bounded: old ids fall out. */
class Registry {
  readonly acked: string[] = [];
  readonly other: string[] = [];

  add(list: string[], ids: readonly string[]): void {
    list.push(...ids);
    if (list.length > RECENT_ACKED_MAX) list.splice(0, list.length - RECENT_ACKED_MAX);
  }
}

/** What the workload needs from the rest of the run. */
export interface WorkloadHost {
  readonly history: History;
  readonly options: ChaosOptions;
  readonly nodes: readonly { id: string; url: string }[];
  /** Nodes under a fault now (readers aim some reads there). */
  faulted(): readonly string[];
  /** Called with every operation answered 500 or otherwise unexpected. */
  internal(op: string, detail: string): void;
  token?: string;
}

/** A running workload; stop() resolves once every client finished its current operation. */
export interface Workload {
  stop(): Promise<void>;
}

/** Starts the writers and readers. */
export function startWorkload(host: WorkloadHost): Workload {
  const clients = new Map(
    host.nodes.map((n) => [
      n.id,
      new LogClusterClient({ nodes: [n.url], retries: 0, timeoutMs: ATTEMPT_TIMEOUT_MS, token: host.token }),
    ]),
  );
  const readClients = new Map(
    host.nodes.map((n) => [
      n.id,
      new LogClusterClient({ nodes: [n.url], retries: 0, timeoutMs: READ_TIMEOUT_MS, token: host.token }),
    ]),
  );
  const registry = new Registry();
  const seeds = new Prng(host.options.seed ^ 0x5eed);
  let stopping = false;
  const loops: Promise<void>[] = [];
  const paced = async (prng: Prng, body: () => Promise<void>): Promise<void> => {
    const intervalMs = 1000 / host.options.rate;
    while (!stopping) {
      const started = performance.now();
      await body();
      const waitMs = intervalMs * (0.5 + prng.nextFloat()) - (performance.now() - started);
      if (waitMs > 0) await sleep(waitMs);
    }
  };
  for (let w = 0; w < host.options.writers; w++) {
    const writer = new Writer(`w${w}`, seeds.fork(), host, clients, registry);
    loops.push(paced(writer.prng, () => writer.once()));
  }
  for (let r = 0; r < host.options.readers; r++) {
    const reader = new Reader(`r${r}`, seeds.fork(), host, readClients, registry);
    loops.push(paced(reader.prng, () => reader.once()));
  }
  return {
    stop: async () => {
      stopping = true;
      await Promise.all(loops);
      for (const c of [...clients.values(), ...readClients.values()]) c.close();
    },
  };
}

class Writer {
  #count = 0;
  #next: string;

  constructor(
    readonly name: string,
    readonly prng: Prng,
    private readonly host: WorkloadHost,
    private readonly clients: Map<string, LogClusterClient>,
    private readonly registry: Registry,
  ) {
    this.#next = host.nodes[prng.nextInt(host.nodes.length)].id;
  }

  /** One write op: fresh ids and values, then attempts until ok, a deadline, or once if one-shot. */
  async once(): Promise<void> {
    const { history, options } = this.host;
    const size = this.prng.chance(options.batchShare) ? 2 + this.prng.nextInt(3) : 1;
    const oneShot = this.prng.chance(options.oneShotShare);
    const entries: WrittenEntry[] = [];
    for (let i = 0; i < size; i++) {
      const k = ++this.#count;
      entries.push({
        id: `s${options.seed}-${this.name}-${k}`,
        value: `v-${options.seed}-${this.name}-${k}`,
      });
    }
    const op: WriteOp = history.add({
      kind: 'write',
      n: history.next(),
      client: this.name,
      invokeMs: history.now(),
      completeMs: 0,
      outcome: 'unknown',
      entries,
      indexes: null,
      duplicate: false,
      attempts: [],
    });
    let definite = true;
    for (
      let attempt = 0;
      attempt === 0 || (!oneShot && history.now() - op.invokeMs < WRITE_DEADLINE_MS);
      attempt++
    ) {
      if (attempt > 0) await sleep(Math.min(RETRY_DELAY_MS[0] * 2 ** (attempt - 1), RETRY_DELAY_MS[1]));
      const outcome = await this.#attempt(op);
      if (outcome === 'ok') break;
      if (outcome === 'unknown') definite = false;
    }
    const ids = entries.map((e) => e.id);
    if (op.outcome === 'ok') this.registry.add(this.registry.acked, ids);
    else {
      op.outcome = definite ? 'fail' : 'unknown';
      this.registry.add(this.registry.other, ids);
    }
    op.completeMs = history.now();
  }

  /** One attempt of `op` on the node the writer aims at now; records it and returns its outcome. */
  async #attempt(op: WriteOp): Promise<Outcome> {
    const { history } = this.host;
    const node = this.#next;
    const startMs = history.now();
    const body = op.entries.map((e) => ({
      id: e.id,
      message: e.value,
      source: 'chaos',
      level: 'info' as const,
    }));
    try {
      const client = this.clients.get(node)!;
      // A single entry goes as a JSON object, a batch as an array: both body forms are exercised.
      const results = body.length === 1 ? [await client.write(body[0])] : await client.write(body);
      op.attempts.push({ node, startMs, endMs: history.now(), outcome: 'ok' });
      op.indexes = results.map((r) => r.index);
      op.duplicate = results.some((r) => r.duplicate);
      op.outcome = 'ok';
      return 'ok';
    } catch (error) {
      const outcome = writeFailure(error);
      op.attempts.push({ node, startMs, endMs: history.now(), outcome, code: codeOf(error) });
      if (isInternal(error)) this.host.internal(`write ${op.n} on ${node}`, String(error));
      this.#next = this.#nextNode(node, error);
      return outcome;
    }
  }

  /** The leader a refusal names, else the next node round robin. */
  #nextNode(node: string, error: unknown): string {
    const hinted = (error as { details?: { leader_id?: unknown } }).details?.leader_id;
    if (typeof hinted === 'string' && hinted !== node && this.clients.has(hinted)) return hinted;
    const ids = this.host.nodes.map((n) => n.id);
    return ids[(ids.indexOf(node) + 1) % ids.length];
  }
}

class Reader {
  constructor(
    readonly name: string,
    readonly prng: Prng,
    private readonly host: WorkloadHost,
    private readonly clients: Map<string, LogClusterClient>,
    private readonly registry: Registry,
  ) {}

  async once(): Promise<void> {
    const { options } = this.host;
    const faulted = this.host.faulted();
    const node =
      faulted.length > 0 && this.prng.chance(options.readFaultedShare)
        ? this.prng.pick(faulted)
        : this.prng.pick(this.host.nodes).id;
    const consistency = this.prng.pick(options.consistencies);
    if (this.prng.chance(0.25)) await this.#logs(node, consistency);
    else {
      const { acked, other } = this.registry;
      const list = other.length > 0 && (acked.length === 0 || this.prng.chance(0.2)) ? other : acked;
      if (list.length === 0) return;
      // Recent ids most often: a stale node misses exactly those.
      const at =
        list.length - 1 - Math.min(list.length - 1, Math.floor(this.prng.nextFloat() ** 3 * list.length));
      await this.#read(node, consistency, list[at]);
    }
  }

  async #read(node: string, consistency: ReadConsistency, id: string): Promise<void> {
    const { history } = this.host;
    const op: ReadOp = history.add({
      kind: 'read',
      n: history.next(),
      client: this.name,
      node,
      consistency,
      invokeMs: history.now(),
      completeMs: 0,
      outcome: 'unknown',
      id,
      seen: null,
    });
    try {
      const record = await this.clients.get(node)!.read(id, { consistency });
      op.seen = seenOf(record);
      op.outcome = 'ok';
    } catch (error) {
      const code = codeOf(error);
      if (code === 'NOT_FOUND') op.outcome = 'ok';
      else {
        op.outcome = readFailure(error);
        op.code = code;
        if (isInternal(error)) this.host.internal(`read ${op.n} on ${node}`, String(error));
      }
    }
    op.completeMs = history.now();
  }

  async #logs(node: string, consistency: ReadConsistency): Promise<void> {
    const { history } = this.host;
    const op: LogsOp = history.add({
      kind: 'logs',
      n: history.next(),
      client: this.name,
      node,
      consistency,
      invokeMs: history.now(),
      completeMs: 0,
      outcome: 'unknown',
      limit: LOGS_PAGE_LIMIT,
      seen: [],
    });
    try {
      const page = await this.clients
        .get(node)!
        .query({ order: 'desc', limit: LOGS_PAGE_LIMIT, consistency });
      op.seen = page.entries.map(seenOf);
      op.outcome = 'ok';
    } catch (error) {
      op.outcome = readFailure(error);
      op.code = codeOf(error);
      if (isInternal(error)) this.host.internal(`logs ${op.n} on ${node}`, String(error));
    }
    op.completeMs = history.now();
  }
}

function seenOf(record: { index: number; id: string; original_data: { message: string } }): SeenEntry {
  return { index: record.index, id: record.id, value: record.original_data.message };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
