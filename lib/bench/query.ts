/**
 * The level-filtered query: add the entries it runs over with big batches (timing the load), then
 * time `GET /logs?level=error` (newest 100) with one connection.
 */
import type { BenchCluster } from './bench-cluster.js';
import { type Cell, REQUEST_TIMEOUT_SEC, runCells } from './cells.js';
import type { BenchContext } from './context.js';
import { LOAD_BATCH_ENTRIES } from './options.js';
import type { LoadRow, QueryLoadResult } from './report.js';
import { loadBody } from './workload.js';

/** Connections of the bulk load: enough to keep a batch in every stage of the pipeline. */
export const LOAD_CONNECTIONS = 4;
/** Slowest load rate the run tolerates (entries/s) before giving up on the load: bounds its time. */
export const LOAD_RATE_MIN = 1_000;
/** The measured query: a level filter, newest first, a default page of 100. */
export const QUERY_PATH = '/logs?level=error';

/** Adds about `count` entries (whole batches) to `cluster` through `leaderUrl`, timing the load. */
export async function loadEntries(
  ctx: BenchContext,
  cluster: BenchCluster,
  leaderUrl: string,
  count: number,
): Promise<{ stored: number; loaded: number; entriesPerSec: number; mbPerSec: number }> {
  const leaderId = Object.entries(cluster.urls).find(([, url]) => url === leaderUrl)?.[0] ?? '';
  const before = (await cluster.health(leaderId))?.commit_index ?? 0;
  const requests = Math.ceil(Math.max(0, count) / LOAD_BATCH_ENTRIES);
  if (requests === 0) return { stored: before, loaded: 0, entriesPerSec: 0, mbPerSec: 0 };
  const body = loadBody(LOAD_BATCH_ENTRIES);
  ctx.progress(
    `loading ${(requests * LOAD_BATCH_ENTRIES).toLocaleString('en-US')} entries (${LOAD_BATCH_ENTRIES} a request) ...`,
  );
  const result = await ctx.gen.run({
    kind: 'http',
    origin: leaderUrl,
    method: 'POST',
    paths: ['/write'],
    body,
    headers: { 'content-type': 'application/json' },
    connections: LOAD_CONNECTIONS,
    amount: requests,
    durationSec: Math.ceil((requests * LOAD_BATCH_ENTRIES) / LOAD_RATE_MIN),
    timeoutSec: 60,
  });
  if (result.errors > 0)
    ctx.note(`query load: ${result.errors} failed batches ${JSON.stringify(result.statuses)}`);
  const loaded = result.ok * LOAD_BATCH_ENTRIES;
  const stored = (await cluster.health(leaderId))?.commit_index ?? before + loaded;
  const rate = {
    stored,
    loaded,
    entriesPerSec: loaded / result.durationSec,
    mbPerSec: (result.ok * Buffer.byteLength(body)) / result.durationSec / 1e6,
  };
  ctx.progress(
    `loaded ${loaded.toLocaleString('en-US')} entries: ${Math.round(rate.entriesPerSec).toLocaleString('en-US')} entries/s, ${rate.mbPerSec.toFixed(1)} MB/s of request bodies`,
  );
  return rate;
}

/**
 * Adds options.queryEntries entries with the level mix (on top of what earlier scenarios wrote,
 * all `info`), then measures the query.
 */
export async function runQuery(
  ctx: BenchContext,
  cluster: BenchCluster,
  leaderUrl: string,
): Promise<{ rows: LoadRow[]; load: QueryLoadResult }> {
  const load = await loadEntries(ctx, cluster, leaderUrl, ctx.options.queryEntries);
  const page = await cluster.http.call('GET', `${leaderUrl}${QUERY_PATH}`, undefined, 30_000);
  const pageEntries = Array.isArray(page.body?.entries) ? (page.body.entries as unknown[]).length : 0;
  if (pageEntries < 100)
    ctx.note(`the measured query returned ${pageEntries} entries, not a full page of 100`);
  const cell: Cell = {
    scenario: 'query',
    target: 'logcluster',
    connections: 1,
    entriesPerRequest: 1,
    pids: () => cluster.pids(),
    job: (durationSec) => ({
      kind: 'http',
      origin: leaderUrl,
      method: 'GET',
      paths: [QUERY_PATH],
      connections: 1,
      durationSec,
      timeoutSec: REQUEST_TIMEOUT_SEC,
    }),
  };
  const rows = await runCells(ctx.gen, [cell], ctx.cellPlan());
  return {
    rows,
    load: {
      storedEntries: load.stored,
      loadedEntries: load.loaded,
      entriesPerSec: load.entriesPerSec,
      mbPerSec: load.mbPerSec,
      pageEntries,
    },
  };
}
