/**
 * Forwards a follower's client writes to the leader over the leader's public API, on keep-alive
 * connections. A forwarded request is marked so the receiver never forwards it again: two nodes
 * with stale views of each other answer NOT_LEADER instead of bouncing a write between them.
 */
import { errorFromReply, parseJsonObject } from '../client/error-body.js';
import { Agents, httpRequest } from '../client/http.js';
import { LogClusterError } from '../errors.js';
import { FORWARDED_HEADER } from '../http/service.js';
import type { ValidEntry } from './entries/validate.js';

/** How long a forwarded write may take at the leader: its own commit timeout plus a margin. */
export const FORWARD_TIMEOUT_MS = 12_000;

/** Sends writes to the leader's /write; one instance per node (it owns the connection pool). */
export class Forwarder {
  readonly #agents: Agents;

  constructor(
    private readonly token: string | null,
    ca?: string,
  ) {
    this.#agents = new Agents(ca);
  }

  /**
   * Forwards `entries` (ids already assigned) to `leaderUrl`; resolves with the leader's results.
   * Only the request body is held while the leader commits, not the entries (see handleWrite).
   */
  write(leaderUrl: string, entries: readonly ValidEntry[]): Promise<unknown[]> {
    return this.#send(new URL('/write', leaderUrl), JSON.stringify(entries.map(toWireEntry)));
  }

  async #send(url: URL, body: string): Promise<unknown[]> {
    const headers: Record<string, string> = { 'content-type': 'application/json', [FORWARDED_HEADER]: '1' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let reply: Awaited<ReturnType<typeof httpRequest>>;
    try {
      reply = await httpRequest(
        url,
        { method: 'POST', headers, body, timeoutMs: FORWARD_TIMEOUT_MS },
        this.#agents,
      );
    } catch (error) {
      // The request may have reached the leader: the write's outcome is unknown.
      const why = error instanceof Error ? error.message : String(error);
      throw new LogClusterError(
        'OUTCOME_UNKNOWN',
        `Forwarding to the leader failed (${why}); retry with the same id`,
      );
    }
    if (reply.status !== 200) throw errorFromReply(reply.status, reply.body, url.origin);
    const json = parseJsonObject(reply.body);
    if (json === null || !Array.isArray(json.results)) {
      throw new LogClusterError(
        'OUTCOME_UNKNOWN',
        'The leader answered a forwarded write with an unexpected body',
      );
    }
    return json.results;
  }

  /** Closes pooled connections. */
  close(): void {
    this.#agents.destroy();
  }
}

/** The entry as the client could have sent it: original fields, id and timestamp as accepted. */
function toWireEntry(entry: ValidEntry): Record<string, unknown> {
  const wire: Record<string, unknown> = { ...entry.original, id: entry.id };
  if (entry.timestampMs !== undefined) wire.timestamp = entry.timestampMs;
  return wire;
}
