/**
 * The HTTP fuzzer: fast-check throws hostile requests (arbitraries.ts) at the nodes of a running
 * cluster for a bounded time and judges every reply; afterwards the cluster must still be whole
 * (checkAfterFuzz). A finding stops the run; fast-check then shrinks it to a small request.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { type ClusterManager, ERRORS, LogClusterClient } from '../../lib/index.js';
import { request, uniqueTracked, validWrite } from './arbitraries.js';
import { exchange, type RawReply, type RawRequest, serialize } from './raw-http.js';

/** Every request must be answered (or its connection closed) this soon: no hang. */
export const REQUEST_DEADLINE_MS = 10_000;
/** Requests sent at once in one property run (to different or the same nodes). */
export const PARALLEL_REQUESTS_MAX = 4;
/**
 * RSS a node may reach after fuzzing: ~4x its steady state (~100 MiB) — room for a few 4 MiB
 * bodies in flight, far below what holding on to every request would take.
 */
export const NODE_RSS_BYTES_MAX = 400 * 1024 * 1024;
/**
 * Bodies above this may be cut off without a reply: a node that refuses a body closes the
 * connection with unread bytes in flight, and TCP's reset can destroy the reply before a slow
 * client reads it (tolerated here, where timing is random; oversized-body.test.ts pins the 413).
 */
export const CUT_BODY_BYTES_MIN = 64 * 1024;
/** How long a node gets to answer /health with 200 again after the barrage. */
export const HEALTHY_AGAIN_MS = 15_000;

/** The result of a fuzz run. */
export interface FuzzReport {
  readonly seed: number;
  readonly requests: number;
  readonly byStatus: Record<string, number>;
  readonly slowestMs: number;
  /** The first finding (after shrinking), or null. */
  readonly finding: string | null;
  /** Valid writes the nodes acknowledged: read back by checkAfterFuzz. */
  readonly acknowledged: { id: string; message: string }[];
}

/** Why a reply breaks the rules, or null when it is fine. */
export function judge(req: RawRequest, reply: RawReply): string | null {
  if (reply.hung) return `no reply and no close within ${REQUEST_DEADLINE_MS} ms`;
  if (reply.status === null) {
    // Raw garbage, unframed and oversized bodies may be answered by a close; other requests never are.
    const excused = req.framing === 'raw' || req.framing === 'none' || req.body.length >= CUT_BODY_BYTES_MIN;
    return excused ? null : 'connection closed without a reply';
  }
  if (reply.status >= 500 && reply.status !== 503)
    return `HTTP ${reply.status}: ${reply.body.toString().slice(0, 300)}`;
  const type = reply.headers['content-type'] ?? '';
  if (req.method === 'HEAD') return null; // a HEAD reply has headers only
  if (!type.startsWith('application/json')) {
    return reply.status === 503 ? 'a 503 without the JSON error body' : null;
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(reply.body.toString('utf8')) as Record<string, unknown>;
  } catch {
    return `HTTP ${reply.status} with a JSON content type but a body that is not JSON`;
  }
  if (reply.status >= 400) {
    const code = json.code;
    const spec = typeof code === 'string' ? (ERRORS as Record<string, { status: number }>)[code] : undefined;
    if (json.success !== false || typeof json.error !== 'string' || spec === undefined) {
      return `HTTP ${reply.status} error body is not the API's shape: ${reply.body.toString().slice(0, 300)}`;
    }
    if (spec.status !== reply.status)
      return `code ${code} came with HTTP ${reply.status}, registry says ${spec.status}`;
  } else if (reply.status < 300 && json.success !== true) {
    return `HTTP ${reply.status} without success: true`;
  }
  return null;
}

function describe(req: RawRequest): string {
  const bytes = serialize(req);
  const shown = bytes.subarray(0, 400).toString('latin1');
  return `${JSON.stringify(shown)}${bytes.length > 400 ? ` ... (${bytes.length} bytes)` : ''}`;
}

/** Fuzzes `ports` for `durationMs` with fast-check seed `seed`. */
export async function runFuzz(
  ports: readonly number[],
  durationMs: number,
  seed: number,
): Promise<FuzzReport> {
  const byStatus: Record<string, number> = {};
  const acknowledged: { id: string; message: string }[] = [];
  let requests = 0;
  let tracked = 0;
  const trackedIds = new WeakMap<RawRequest, { id: string; message: string }>();
  let slowestMs = 0;
  const one = fc.tuple(
    fc.nat({ max: ports.length - 1 }),
    fc.oneof({ weight: 9, arbitrary: request }, { weight: 1, arbitrary: validWrite }),
  );
  const property = fc.asyncProperty(
    fc.array(one, { minLength: 1, maxLength: PARALLEL_REQUESTS_MAX }),
    async (generated) => {
      const cases = generated.map(([node, req]) => {
        const sent = uniqueTracked(req, () => `${seed}-${++tracked}`);
        if (sent !== req) {
          const entry = JSON.parse(sent.body.toString()) as { id: string; message: string };
          trackedIds.set(sent, { id: entry.id, message: entry.message });
        }
        return [node, sent] as const;
      });
      const replies = await Promise.all(
        cases.map(([node, req]) =>
          exchange(ports[node], serialize(req), REQUEST_DEADLINE_MS, {
            head: req.method === 'HEAD',
            halfClose: req.framing === 'raw',
          }),
        ),
      );
      replies.forEach((reply, i) => {
        const req = cases[i][1];
        requests++;
        slowestMs = Math.max(slowestMs, reply.ms);
        const key = reply.hung ? 'hung' : String(reply.status ?? 'closed');
        byStatus[key] = (byStatus[key] ?? 0) + 1;
        const problem = judge(req, reply);
        if (problem !== null) throw new Error(`${problem}\nrequest: ${describe(req)}`);
        if (reply.status === 200 && trackedIds.has(req)) acknowledged.push(trackedIds.get(req)!);
      });
    },
  );
  const details = await fc.check(property, {
    seed,
    numRuns: Number.MAX_SAFE_INTEGER,
    interruptAfterTimeLimit: durationMs,
    markInterruptAsFailure: false,
  });
  const finding = details.failed
    ? `${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}\n(fast-check seed ${details.seed}, path ${details.counterexamplePath})`
    : null;
  return { seed, requests, byStatus, slowestMs, finding, acknowledged };
}

/**
 * After a fuzz run the cluster must be whole: every node process alive and answering /health 200,
 * RSS under NODE_RSS_BYTES_MAX, no internal error in any node's log, and every acknowledged valid
 * write readable. Returns the problems found (empty: all well).
 */
export async function checkAfterFuzz(cluster: ClusterManager, report: FuzzReport): Promise<string[]> {
  const problems: string[] = [];
  const nodes = cluster.status().nodes;
  for (const node of nodes) {
    if (node.state !== 'running' || node.pid === null || !alive(node.pid)) {
      problems.push(`${node.id} is not running (state ${node.state}, pid ${node.pid})`);
    }
  }
  for (const node of nodes) {
    const client = new LogClusterClient({ nodes: [node.url], retries: 0, timeoutMs: 2_000 });
    try {
      const deadline = Date.now() + HEALTHY_AGAIN_MS;
      let health = await client.health().catch((e: unknown) => ({ status: String(e) }));
      while (health.status !== 'healthy' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        health = await client.health().catch((e: unknown) => ({ status: String(e) }));
      }
      if (health.status !== 'healthy') problems.push(`${node.id} is not healthy: ${health.status}`);
      const stats = await client.stats();
      const rss = (stats.memory_usage as { rss?: number } | undefined)?.rss ?? 0;
      if (!(rss > 0 && rss < NODE_RSS_BYTES_MAX))
        problems.push(`${node.id} RSS ${rss} bytes (bound ${NODE_RSS_BYTES_MAX})`);
    } catch (error) {
      problems.push(`${node.id}: ${String(error)}`);
    } finally {
      client.close();
    }
  }
  problems.push(...(await internalErrorsLogged(cluster.config.dataDir)));
  const reader = new LogClusterClient({ nodes: nodes.map((n) => n.url) });
  try {
    for (const { id, message } of report.acknowledged) {
      const record = await reader.read(id).catch((e: unknown) => String(e));
      if (typeof record === 'string' || record.original_data.message !== message) {
        problems.push(
          `acknowledged write ${id} reads back as ${typeof record === 'string' ? record : JSON.stringify(record)}`,
        );
      }
    }
  } finally {
    reader.close();
  }
  return problems;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Lines of the node logs (ClusterManager's `<dataDir>/logs`) that report an internal error. */
async function internalErrorsLogged(dataDir: string): Promise<string[]> {
  const dir = join(dataDir, 'logs');
  const files = await readdir(dir).catch(() => [] as string[]);
  const found: string[] = [];
  for (const file of files) {
    const text = await readFile(join(dir, file), 'utf8');
    for (const line of text.split('\n')) {
      if (!/internal error|INTERNAL|uncaught|Error:/i.test(line)) continue;
      found.push(`${file}: ${line.slice(0, 300)}`);
    }
  }
  return found;
}
