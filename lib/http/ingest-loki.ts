/**
 * POST /loki/api/v1/push: Grafana Loki's push API, so Loki clients (promtail, Grafana Alloy,
 * pino-loki, winston-loki, Fluent Bit's loki output...) can ship to logcluster unchanged. JSON or
 * snappy-compressed protobuf (Loki's default), optionally gzip'ed; answered 204 like Loki once
 * every line is acknowledged. Errors keep the API's JSON shape and statuses.
 */

import { decodeContentEncoding, ingestFormat, parseJsonBody } from '../integrations/codec/content.js';
import { snappyDecompress } from '../integrations/codec/snappy.js';
import { INGEST_DECODED_BYTES_MAX } from '../integrations/limits.js';
import { decodeLokiJson, decodeLokiProtobuf } from '../integrations/loki/decode.js';
import { mapLokiStreams } from '../integrations/loki/map.js';
import { readBody } from './body.js';
import type { RequestContext } from './context.js';
import { validateItems, writeInRounds } from './ingest-write.js';
import { checkKnown } from './query-params.js';
import { CORS_HEADERS } from './reply.js';

const NO_PARAMS: ReadonlySet<string> = new Set();

/** The route's path, as Loki clients append it to a base URL. */
export const LOKI_PUSH_PATH = '/loki/api/v1/push';

/** POST /loki/api/v1/push. */
export async function handleLokiPush({ req, res, params, api }: RequestContext): Promise<void> {
  checkKnown(params, NO_PARAMS, false);
  const format = ingestFormat(req.headers['content-type'], LOKI_PUSH_PATH);
  const encoding = req.headers['content-encoding'];
  let body = await decodeContentEncoding(
    await readBody(req, api.bodyBytesMax),
    encoding,
    INGEST_DECODED_BYTES_MAX,
  );
  let streams: ReturnType<typeof decodeLokiJson>;
  if (format === 'json') streams = decodeLokiJson(parseJsonBody(body));
  else {
    // Loki's protobuf bodies are snappy blocks by protocol, without a Content-Encoding header.
    if (encoding?.trim().toLowerCase() !== 'snappy') body = snappyDecompress(body, INGEST_DECODED_BYTES_MAX);
    streams = decodeLokiProtobuf(body);
  }
  const entries = validateItems(mapLokiStreams(streams));
  if (entries.length > 0) await writeInRounds(api, entries);
  res.writeHead(204, CORS_HEADERS);
  res.end();
}
