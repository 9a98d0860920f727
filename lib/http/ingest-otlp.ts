/**
 * POST /v1/logs: OTLP/HTTP logs (the OpenTelemetry SDKs' and Collector's otlphttp exporters),
 * JSON or protobuf, optionally gzip'ed. Answers once every record is acknowledged: protobuf
 * requests get an empty ExportLogsServiceResponse, JSON ones `{"success": true}` (a full success
 * leaves OTLP's partialSuccess unset). Errors keep the API's JSON shape; 429 and 503 are the
 * statuses OTLP exporters retry.
 */

import { decodeContentEncoding, ingestFormat, parseJsonBody } from '../integrations/codec/content.js';
import { INGEST_DECODED_BYTES_MAX } from '../integrations/limits.js';
import { decodeOtlpJson } from '../integrations/otlp/decode-json.js';
import { decodeOtlpProtobuf } from '../integrations/otlp/decode-proto.js';
import { mapOtlpResources } from '../integrations/otlp/map.js';
import { readBody } from './body.js';
import type { RequestContext } from './context.js';
import { validateItems, writeInRounds } from './ingest-write.js';
import { checkKnown } from './query-params.js';
import { CORS_HEADERS, sendJson } from './reply.js';

const NO_PARAMS: ReadonlySet<string> = new Set();

/** The route's path (OTLP/HTTP's default for logs). */
export const OTLP_LOGS_PATH = '/v1/logs';

/** POST /v1/logs. */
export async function handleOtlpLogs({ req, res, params, api }: RequestContext): Promise<void> {
  checkKnown(params, NO_PARAMS, false);
  const format = ingestFormat(req.headers['content-type'], OTLP_LOGS_PATH);
  const raw = await readBody(req, api.bodyBytesMax);
  const body = await decodeContentEncoding(raw, req.headers['content-encoding'], INGEST_DECODED_BYTES_MAX);
  const resources = format === 'json' ? decodeOtlpJson(parseJsonBody(body)) : decodeOtlpProtobuf(body);
  const entries = validateItems(mapOtlpResources(resources));
  if (entries.length > 0) await writeInRounds(api, entries);
  if (format === 'json') {
    sendJson(res, 200, { success: true });
    return;
  }
  res.writeHead(200, {
    ...CORS_HEADERS,
    'content-type': 'application/x-protobuf',
    'cache-control': 'no-store',
    'content-length': 0,
  });
  res.end();
}
