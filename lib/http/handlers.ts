/**
 * The request handlers of the non-streaming routes. Each validates everything it was given before
 * calling the service, so a refused request changes nothing. Routes whose answer parameters could
 * change (/write, /read, /logs) refuse unknown ones; the watching routes ignore them (monitors
 * append cache-busters).
 */

import { LogClusterError } from '../errors.js';
import { parseEntryRef } from '../node/entries/record.js';
import { validateEntries, validateEntry } from '../node/entries/validate.js';
import { bodyKind, parseWriteBody, readBody } from './body.js';
import type { RequestContext } from './context.js';
import { checkKnown, parseConsistency, parseLogsQuery, READ_PARAMS } from './query-params.js';
import { sendJson, sendJsonText, sendText } from './reply.js';
import { FORWARDED_HEADER } from './service.js';
import { writeReplyJson } from './write-reply.js';

const NO_PARAMS: ReadonlySet<string> = new Set();

/** The Prometheus text format's content type. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** POST /write: one entry (object), a batch (array) or NDJSON lines. */
export async function handleWrite({ req, res, params, api }: RequestContext): Promise<void> {
  checkKnown(params, NO_PARAMS, false);
  const kind = bodyKind(req.headers['content-type']);
  const { batch, entries } = parseWriteBody(kind, await readBody(req, api.bodyBytesMax));
  const origin = { forwarded: req.headers[FORWARDED_HEADER] === '1' };
  // No name holds the parsed or validated entries across the await: a suspended handler keeps
  // what its frame names alive until the commit, and the collector copies it meanwhile.
  const results = await api.service.write(
    batch ? validateEntries(entries) : [validateEntry(entries[0])],
    origin,
  );
  sendJsonText(res, 200, writeReplyJson(results, batch));
}

/** GET /read/{file_path}: by file_path or id, never by a file system path. */
export async function handleRead({ res, path, params, api }: RequestContext): Promise<void> {
  const ref = parseEntryRef(path.slice('/read/'.length));
  checkKnown(params, READ_PARAMS, false);
  const data = await api.service.read(ref, parseConsistency(params));
  sendJson(res, 200, { success: true, data });
}

/** GET /logs: one page of filtered entries. */
export async function handleLogs({ res, params, api }: RequestContext): Promise<void> {
  const { query, consistency } = parseLogsQuery(params, api.clock());
  const page = await api.service.query(query, consistency);
  sendJson(res, 200, { success: true, entries: page.entries, next_after: page.next_after });
}

/** GET /health: 200 while the node can serve, 503 with the reason otherwise. */
export async function handleHealth({ res, api }: RequestContext): Promise<void> {
  const report = await api.service.health();
  if (report.status !== 'unhealthy') {
    sendJson(res, 200, { success: true, ...report });
    return;
  }
  const reason = report.reason ?? 'The node cannot serve';
  const code = report.code ?? 'NOT_READY';
  sendJson(res, 503, { ...report, success: false, error: reason, code, reason });
}

/** GET /stats. */
export async function handleStats({ res, api }: RequestContext): Promise<void> {
  sendJson(res, 200, { success: true, ...(await api.service.stats()) });
}

/** GET /cluster. */
export async function handleCluster({ res, api }: RequestContext): Promise<void> {
  sendJson(res, 200, { success: true, ...(await api.service.cluster()) });
}

/** GET /metrics: the node's metrics, then the HTTP layer's. */
export async function handleMetrics({ res, api }: RequestContext): Promise<void> {
  let text = await api.service.metrics();
  if (text !== '' && !text.endsWith('\n')) text += '\n';
  sendText(res, 200, METRICS_CONTENT_TYPE, text + (await api.metrics.text()));
}

/** GET /dashboard: the page, when the node serves one. */
export async function handleDashboard({ res, api }: RequestContext): Promise<void> {
  if (api.service.dashboard === undefined) {
    throw new LogClusterError('ROUTE_NOT_FOUND', 'This node serves no dashboard');
  }
  sendText(res, 200, 'text/html; charset=utf-8', await api.service.dashboard());
}
