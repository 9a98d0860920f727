/**
 * The harness's own small HTTP calls (health polls, setup writes, the failover writer): the
 * client's node:http layer with keep-alive agents, JSON in and out, never throwing for a status.
 */
import { Agents, httpRequest } from '../client/http.js';

/** A JSON answer, or no answer at all (`status` 0, `error` says why). */
export interface JsonReply {
  readonly status: number;
  readonly body: Record<string, unknown> | null;
  readonly error: string | null;
}

/** Keep-alive JSON calls; close() releases the sockets. */
export class JsonHttp {
  readonly #agents = new Agents();

  /** GET or POST `url`; resolves with the answer or with status 0 when there was none in time. */
  async call(method: 'GET' | 'POST', url: string, body: unknown, timeoutMs: number): Promise<JsonReply> {
    try {
      const headers: Record<string, string> =
        body === undefined ? {} : { 'content-type': 'application/json' };
      const init = {
        method,
        headers,
        timeoutMs,
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      };
      const res = await httpRequest(new URL(url), init, this.#agents);
      let parsed: Record<string, unknown> | null = null;
      try {
        parsed = JSON.parse(res.body.toString('utf8')) as Record<string, unknown>;
      } catch {
        parsed = null;
      }
      return { status: res.status, body: parsed, error: null };
    } catch (error) {
      return { status: 0, body: null, error: error instanceof Error ? error.message : String(error) };
    }
  }

  close(): void {
    this.#agents.destroy();
  }
}

/** Polls `check` every `intervalMs` until it returns a value other than null; throws after timeoutMs. */
export async function pollUntil<T>(
  what: string,
  check: () => Promise<T | null>,
  timeoutMs: number,
  intervalMs = 20,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null) return value;
    if (performance.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
