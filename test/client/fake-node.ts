/**
 * A small real node:http server standing in for a logcluster node in client unit tests: it records
 * every request and answers with whatever the test's handler says, shaped like API.md.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionContext } from 'ava';

/** One request as the fake node saw it. */
export interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** The handler's answer: status and JSON body (or a raw string), or 'hang' to never answer. */
export type Answer = { status: number; body: unknown; headers?: Record<string, string> } | 'hang';

export interface FakeNode {
  readonly url: string;
  readonly seen: Seen[];
  /** Replace the handler. */
  answer(handler: (req: Seen, n: number) => Answer): void;
  /** Raw access for streaming tests. */
  raw(handler: (req: IncomingMessage, res: ServerResponse) => void): void;
  server: Server;
}

/** Starts a fake node on port 0; closed in teardown. Default answer: 200 {success: true}. */
export async function fakeNode(t: ExecutionContext): Promise<FakeNode> {
  const seen: Seen[] = [];
  let handler: (req: Seen, n: number) => Answer = () => ({ status: 200, body: { success: true } });
  let rawHandler: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  const server = createServer((req, res) => {
    if (rawHandler !== null) return rawHandler(req, res);
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const request: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(request);
      const answer = handler(request, seen.length);
      if (answer === 'hang') return;
      const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    server,
    answer: (next) => {
      handler = next;
    },
    raw: (next) => {
      rawHandler = next;
    },
  };
}

/** A URL nothing listens on (connection refused). */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

/** A write reply as API.md shapes it. */
export function writeReply(id: string, index: number): Record<string, unknown> {
  return {
    success: true,
    file_path: `log_${String(index).padStart(20, '0')}.json`,
    id,
    index,
    term: 1,
    leader_id: 'node1',
    replicas: 2,
    duplicate: false,
  };
}
