/**
 * Request bodies: read with a hard size bound (a declared Content-Length over it is refused before
 * a byte is read; a body that grows past it stops being buffered at once), then parsed by
 * content type into raw entries for validation.
 */

import type { IncomingMessage } from 'node:http';
import { LogClusterError } from '../errors.js';
import { BATCH_ENTRIES_MAX } from '../node/entries/limits.js';

/** The body's media types POST /write accepts. */
export type BodyKind = 'json' | 'ndjson';

const MEDIA_TYPES: Readonly<Record<string, BodyKind>> = {
  'application/json': 'json',
  'application/x-ndjson': 'ndjson',
  'application/ndjson': 'ndjson',
  'application/jsonl': 'ndjson',
};

/** The body kind a Content-Type names; a charset other than UTF-8 is refused with the rest (415). */
export function bodyKind(contentType: string | undefined): BodyKind {
  const [media, ...params] = (contentType ?? '').split(';');
  const kind = MEDIA_TYPES[media.trim().toLowerCase()];
  const charsetOk = params.every((param) => {
    const [name, value = ''] = param.split('=');
    if (name.trim().toLowerCase() !== 'charset') return true;
    return /^"?utf-?8"?$/i.test(value.trim());
  });
  if (kind === undefined || !charsetOk) {
    throw new LogClusterError(
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Type ${contentType === undefined ? '(none)' : JSON.stringify(contentType)} is not supported; send application/json (one entry or an array) or application/x-ndjson, in UTF-8`,
      { field: 'content-type' },
    );
  }
  return kind;
}

function tooLarge(limit: number): LogClusterError {
  return new LogClusterError('BODY_TOO_LARGE', `The request body is larger than ${limit} bytes`, { limit });
}

/**
 * The whole body, at most `limit` bytes. Rejects with BODY_TOO_LARGE as soon as the declared or
 * received size passes the limit (the caller then answers and closes the connection).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        chunks.length = 0;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    };
    // A client going away mid-body is an expected event (also what a request timeout causes),
    // not an internal error: the reply goes nowhere, but metrics and logs must not say 500.
    const onError = (error: Error): void => {
      cleanup();
      reject(new LogClusterError('BAD_REQUEST', `The request body could not be read (${error.message})`));
    };
    const onClose = (): void => {
      cleanup();
      reject(new LogClusterError('BAD_REQUEST', 'The client closed the request before its body ended'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

function invalidJson(error: unknown, where: string, details: Record<string, unknown> = {}): LogClusterError {
  const why = error instanceof Error ? error.message : String(error);
  return new LogClusterError('INVALID_JSON', `The request body is not valid JSON${where}: ${why}`, details);
}

/** Raw entries from a body, and whether the request was a batch (array or NDJSON) or one entry. */
export interface ParsedBody {
  readonly entries: readonly unknown[];
  readonly batch: boolean;
}

/** Parses a POST /write body. JSON: an object is one entry, an array a batch. NDJSON: a line each. */
export function parseWriteBody(kind: BodyKind, body: Buffer): ParsedBody {
  let text = body.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (kind === 'json') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw invalidJson(error, '');
    }
    return Array.isArray(value) ? { entries: value, batch: true } : { entries: [value], batch: false };
  }
  const entries: unknown[] = [];
  let line = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    line++;
    const chunk = text.slice(start, end).trim();
    start = end + 1;
    if (chunk === '') continue;
    if (entries.length === BATCH_ENTRIES_MAX) {
      throw new LogClusterError('BATCH_TOO_LARGE', `The batch holds more than ${BATCH_ENTRIES_MAX} entries`, {
        limit: BATCH_ENTRIES_MAX,
      });
    }
    try {
      entries.push(JSON.parse(chunk));
    } catch (error) {
      throw invalidJson(error, ` on line ${line}`, { line });
    }
  }
  return { entries, batch: true };
}
