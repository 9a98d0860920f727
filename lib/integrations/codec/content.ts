/**
 * Content types and encodings of the ingestion endpoints: which body format a request declares
 * (JSON or protobuf) and undoing its Content-Encoding (gzip, deflate, snappy) with a bound on the
 * decoded size, so a small compressed body cannot expand into a huge allocation.
 */

import { promisify } from 'node:util';
import { gunzip, inflate } from 'node:zlib';
import { LogClusterError } from '../../errors.js';
import { snappyDecompress } from './snappy.js';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

/** The body formats the Loki and OTLP endpoints read. */
export type IngestFormat = 'json' | 'protobuf';

const FORMATS: Readonly<Record<string, IngestFormat>> = {
  'application/json': 'json',
  'application/x-protobuf': 'protobuf',
  'application/protobuf': 'protobuf',
};

/** The format a Content-Type names (charset UTF-8 only), else 415 UNSUPPORTED_MEDIA_TYPE. */
export function ingestFormat(contentType: string | undefined, route: string): IngestFormat {
  const [media, ...params] = (contentType ?? '').split(';');
  const format = FORMATS[media.trim().toLowerCase()];
  const charsetOk = params.every((param) => {
    const [name, value = ''] = param.split('=');
    return name.trim().toLowerCase() !== 'charset' || /^"?utf-?8"?$/i.test(value.trim());
  });
  if (format === undefined || !charsetOk) {
    const shown = contentType === undefined ? '(none)' : JSON.stringify(contentType);
    throw new LogClusterError(
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Type ${shown} is not supported on ${route}; send application/json or application/x-protobuf`,
      { field: 'content-type' },
    );
  }
  return format;
}

function decodedTooLarge(limit: number): LogClusterError {
  return new LogClusterError('BODY_TOO_LARGE', `The decompressed body is larger than ${limit} bytes`, {
    limit,
  });
}

/**
 * The body with its Content-Encoding undone: identity, gzip (x-gzip), deflate or snappy.
 * Decoding stops at `decodedBytesMax` (413 BODY_TOO_LARGE); corrupt data is 400 INVALID_BODY;
 * another encoding is 415.
 */
export async function decodeContentEncoding(
  body: Buffer,
  header: string | undefined,
  decodedBytesMax: number,
): Promise<Buffer> {
  const encoding = (header ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return body;
  if (encoding === 'snappy') return snappyDecompress(body, decodedBytesMax);
  if (encoding !== 'gzip' && encoding !== 'x-gzip' && encoding !== 'deflate') {
    throw new LogClusterError(
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Encoding ${JSON.stringify(header)} is not supported; use gzip, deflate, snappy or none`,
      { field: 'content-encoding' },
    );
  }
  try {
    const options = { maxOutputLength: decodedBytesMax };
    return encoding === 'deflate' ? await inflateAsync(body, options) : await gunzipAsync(body, options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw decodedTooLarge(decodedBytesMax);
    const why = error instanceof Error ? error.message : String(error);
    throw new LogClusterError('INVALID_BODY', `The request body is not valid ${encoding} data: ${why}`, {
      field: 'body',
    });
  }
}

/** Parses a JSON body (a leading BOM is ignored); malformed JSON is 400 INVALID_JSON. */
export function parseJsonBody(body: Buffer): unknown {
  let text = body.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new LogClusterError('INVALID_JSON', `The request body is not valid JSON: ${why}`);
  }
}
