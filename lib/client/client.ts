/**
 * LogClusterClient: the typed library face of API.md. It knows the node list, caches the leader
 * (writes go there; a `leader_url` hint moves the cache), retries what is safe to retry with
 * bounded exponential backoff and jitter across nodes, and gives every entry an idempotency id
 * before the first attempt so no retry can store it twice.
 */
import { randomUUID } from 'node:crypto';
import { isLogClusterError, LogClusterError } from '../errors.js';
import { backoffDelayMs } from '../transport/backoff.js';
import { errorFromReply, parseJsonObject } from './error-body.js';
import { Agents, httpRequest } from './http.js';
import {
  CLIENT_RETRY_DELAY_MS_MAX,
  type LogClusterClientOptions,
  type ResolvedClientOptions,
  resolveClientOptions,
} from './options.js';
import { toQueryString } from './query-string.js';
import { streamEntries } from './stream.js';
import type {
  ClusterReport,
  HealthReport,
  LogEntryInput,
  LogQuery,
  LogRecord,
  QueryResult,
  ReadOptions,
  StatsReport,
  StreamOptions,
  WriteOptions,
  WriteResult,
} from './types.js';

type Json = Record<string, unknown>;

/** One logical call: where it may go and what counts as an answer. */
interface CallPlan {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: string;
  /** `leader`: writes (start at the cached leader). `any`: reads (leader first when known). */
  readonly target: 'leader' | 'any';
  /** A fixed node: one attempt there, no failover. */
  readonly url?: string;
  readonly timeoutMs?: number;
  /** Accept a non-2xx JSON reply as the answer (health's 503 report). */
  readonly accept?: (status: number, json: Json | null) => boolean;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function normalizeUrl(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href.replace(/\/+$/, '') : null;
  } catch {
    return null;
  }
}

/** Milliseconds a 429's Retry-After asks for (seconds form only), or 0. */
function retryAfterMs(header: string | string[] | undefined): number {
  const seconds = Number(typeof header === 'string' ? header : undefined);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
}

/** The client. Safe to share; call close() to release its keep-alive sockets. */
export class LogClusterClient {
  /** The validated node base URLs, in the order given. */
  readonly nodes: readonly string[];
  readonly #options: ResolvedClientOptions;
  readonly #agents: Agents;
  readonly #urlById = new Map<string, string>();
  #leader: string | null = null;
  #cursor = 0;

  /** Throws LogClusterError('INVALID_OPTION') naming a bad option. */
  constructor(options: LogClusterClientOptions) {
    this.#options = resolveClientOptions(options);
    this.#agents = new Agents(this.#options.ca);
    this.nodes = this.#options.nodes;
  }

  /** The cached leader URL (null until a reply or hint names it). */
  get leaderUrl(): string | null {
    return this.#leader;
  }

  /**
   * Appends one entry (resolves to its WriteResult) or a batch, one consensus round (resolves to
   * one result per entry, in order). Entries without an `id` get a UUID first, so retries after
   * a timeout or a lost leader are answered `duplicate: true` rather than stored twice.
   */
  write(entry: LogEntryInput, options?: WriteOptions): Promise<WriteResult>;
  write(entries: readonly LogEntryInput[], options?: WriteOptions): Promise<WriteResult[]>;
  write(
    input: LogEntryInput | readonly LogEntryInput[],
    options?: WriteOptions,
  ): Promise<WriteResult | WriteResult[]>;
  async write(
    input: LogEntryInput | readonly LogEntryInput[],
    options: WriteOptions = {},
  ): Promise<WriteResult | WriteResult[]> {
    const batch = Array.isArray(input);
    const entries = (batch ? (input as readonly LogEntryInput[]) : [input as LogEntryInput]).map(withId);
    if (batch && entries.length === 0) throw new LogClusterError('EMPTY_BATCH', 'The batch holds no entries');
    const body = JSON.stringify(batch ? entries : entries[0]);
    const json = await this.#call({ method: 'POST', path: '/write', body, target: 'leader', ...options });
    if (!batch) return json as unknown as WriteResult;
    if (!Array.isArray(json.results)) throw malformed('/write', 'results');
    return json.results as WriteResult[];
  }

  /** Reads one entry by `file_path` or `id` (default consistency: linearizable). */
  async read(ref: string, options: ReadOptions = {}): Promise<LogRecord> {
    if (typeof ref !== 'string' || ref === '') {
      throw new LogClusterError('INVALID_PATH', `read needs a file_path or id (got ${JSON.stringify(ref)})`);
    }
    const query = options.consistency ? `?consistency=${encodeURIComponent(options.consistency)}` : '';
    const json = await this.#call({
      method: 'GET',
      path: `/read/${encodeURIComponent(ref)}${query}`,
      target: 'any',
    });
    if (typeof json.data !== 'object' || json.data === null) throw malformed('/read', 'data');
    return json.data as LogRecord;
  }

  /** Queries committed entries (`GET /logs`); continue with `after: result.next_after`. */
  async query(filter: LogQuery = {}): Promise<QueryResult> {
    const json = await this.#call({ method: 'GET', path: `/logs${toQueryString(filter)}`, target: 'any' });
    if (!Array.isArray(json.entries)) throw malformed('/logs', 'entries');
    return json as unknown as QueryResult;
  }

  /**
   * Follows committed entries (`GET /logs/stream`, Server-Sent Events). When the serving node
   * fails the stream moves to another node and resumes after the last index seen (Last-Event-ID).
   * Ends when the signal aborts or the consumer stops; throws after `retries` failed reconnects
   * in a row.
   */
  stream(filter: LogQuery = {}, options: StreamOptions = {}): AsyncIterable<LogRecord> {
    return streamEntries({
      path: `/logs/stream${toQueryString(filter)}`,
      lastEventId: options.lastEventId,
      signal: options.signal,
      headers: this.#headers(),
      timeoutMs: this.#options.timeoutMs,
      retries: this.#options.retries,
      retryDelayMs: (attempt) => this.#delayMs(attempt),
      firstUrl: () => this.#leader ?? this.nodes[this.#cursor % this.nodes.length],
      nextUrl: (url) => this.#after(url),
    });
  }

  /** `GET /health` of `url` (one attempt) or of the first node that answers. A 503 report is returned, not thrown. */
  async health(url?: string): Promise<HealthReport> {
    const accept = (status: number, json: Json | null): boolean =>
      status === 503 && typeof json?.status === 'string';
    return (await this.#call({
      method: 'GET',
      path: '/health',
      target: 'any',
      url,
      accept,
    })) as unknown as HealthReport;
  }

  /** `GET /stats` of `url` (one attempt) or of the first node that answers. */
  async stats(url?: string): Promise<StatsReport> {
    return (await this.#call({
      method: 'GET',
      path: '/stats',
      target: 'any',
      url,
    })) as unknown as StatsReport;
  }

  /** `GET /cluster` of `url` or of the first node that answers; also refreshes the leader cache. */
  async cluster(url?: string): Promise<ClusterReport> {
    return (await this.#call({
      method: 'GET',
      path: '/cluster',
      target: 'any',
      url,
    })) as unknown as ClusterReport;
  }

  /** Releases the keep-alive sockets. The client stays usable (new sockets open on demand). */
  close(): void {
    this.#agents.destroy();
  }

  #headers(): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.#options.token !== null) headers.authorization = `Bearer ${this.#options.token}`;
    return headers;
  }

  #delayMs(attempt: number): number {
    return backoffDelayMs(attempt, this.#options.retryBaseMs, CLIENT_RETRY_DELAY_MS_MAX);
  }

  #start(): string {
    return this.#leader ?? this.nodes[this.#cursor % this.nodes.length];
  }

  /** The node to try after `url` failed: the next in the list (round robin for hinted URLs). */
  #after(url: string): string {
    if (this.#leader === url) this.#leader = null;
    const at = this.nodes.indexOf(url);
    this.#cursor = at === -1 ? this.#cursor + 1 : at + 1;
    return this.nodes[this.#cursor % this.nodes.length];
  }

  /** Learns node ids and the leader from any JSON the nodes send. */
  #learn(url: string, json: Json, wrote: boolean): void {
    if (typeof json.node_id === 'string') this.#urlById.set(json.node_id, url);
    if (Array.isArray(json.members)) {
      for (const member of json.members as Json[]) {
        const memberUrl = normalizeUrl(member?.url);
        if (typeof member?.id === 'string' && memberUrl !== null) this.#urlById.set(member.id, memberUrl);
      }
    }
    const hinted = normalizeUrl(json.leader_url);
    if (typeof json.leader_id === 'string' && hinted !== null) this.#urlById.set(json.leader_id, hinted);
    const byId = typeof json.leader_id === 'string' ? this.#urlById.get(json.leader_id) : undefined;
    if (hinted !== null) this.#leader = hinted;
    else if (json.role === 'leader') this.#leader = url;
    else if (byId !== undefined) this.#leader = byId;
    else if (wrote) this.#leader = url; // a node that accepted a write is a good next target
  }

  async #call(plan: CallPlan): Promise<Json> {
    const fixed = plan.url === undefined ? null : normalizeUrl(plan.url);
    if (plan.url !== undefined && fixed === null) {
      throw new LogClusterError(
        'INVALID_OPTION',
        `url must be an http(s) URL (got ${JSON.stringify(plan.url)})`,
        {
          option: 'url',
        },
      );
    }
    const attempts = fixed === null ? this.#options.retries + 1 : 1;
    const headers = this.#headers();
    if (plan.body !== undefined) headers['content-type'] = 'application/json';
    let url = fixed ?? this.#start();
    let waitMs = 0;
    let followedHint = false;
    let last: LogClusterError | null = null;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (waitMs > 0) await sleep(waitMs);
      const init = {
        method: plan.method,
        headers,
        body: plan.body,
        timeoutMs: plan.timeoutMs ?? this.#options.timeoutMs,
      };
      let reply: Awaited<ReturnType<typeof httpRequest>>;
      try {
        reply = await httpRequest(new URL(plan.path, `${url}/`), init, this.#agents);
      } catch (error) {
        if (!isLogClusterError(error)) throw error;
        last = error;
        url = fixed ?? this.#after(url);
        waitMs = this.#delayMs(attempt);
        followedHint = false;
        continue;
      }
      const json = parseJsonObject(reply.body);
      if (json !== null) this.#learn(url, json, plan.target === 'leader' && reply.status < 300);
      if (reply.status >= 200 && reply.status < 300) {
        if (json === null) throw malformed(plan.path, 'JSON body');
        return json;
      }
      if (plan.accept?.(reply.status, json)) return json!;
      last = errorFromReply(reply.status, reply.body, url);
      if (reply.status !== 503 && reply.status !== 429) throw last;
      const hint = normalizeUrl(json?.leader_url);
      if (hint !== null && hint !== url && !followedHint) {
        url = hint; // the node told us where the leader is: go there at once, once
        waitMs = 0;
        followedHint = true;
      } else {
        url = fixed ?? (hint !== null && hint !== url ? hint : this.#after(url));
        waitMs = Math.min(
          Math.max(this.#delayMs(attempt), retryAfterMs(reply.headers['retry-after'])),
          CLIENT_RETRY_DELAY_MS_MAX,
        );
        followedHint = false;
      }
    }
    throw last!;
  }
}

function withId(entry: LogEntryInput, position: number): LogEntryInput {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new LogClusterError(
      'INVALID_ENTRY',
      `entry ${position} must be an object (got ${JSON.stringify(entry)})`,
      {
        field: 'entry',
      },
    );
  }
  return entry.id === undefined || entry.id === null ? { ...entry, id: randomUUID() } : entry;
}

function malformed(path: string, what: string): LogClusterError {
  return new LogClusterError('INTERNAL', `The node's reply to ${path.split('?')[0]} lacks ${what}`);
}
