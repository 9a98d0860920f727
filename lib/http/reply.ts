/**
 * Writing responses: one JSON shape for success and for errors (API.md), CORS headers on every
 * response so a page from any origin (the dashboard opened as a file) can call any node.
 */

import type { ServerResponse } from 'node:http';
import { AssertionError } from '../assert.js';
import { isLogClusterError, LogClusterError } from '../errors.js';

/** Sent on every response. */
export const CORS_HEADERS: Readonly<Record<string, string>> = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'Authorization, Content-Type, Last-Event-ID',
  'access-control-expose-headers': 'Allow, Retry-After',
};

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

const JSON_HEADERS = {
  ...CORS_HEADERS,
  'content-type': JSON_CONTENT_TYPE,
  'cache-control': 'no-store',
};

/** Sends `body` as JSON with `status`; `extra` headers are added (Allow, Retry-After, Connection). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  extra?: Readonly<Record<string, string>>,
): void {
  sendJsonText(res, status, JSON.stringify(body), extra);
}

/**
 * Sends `text`, already JSON, with `status`. Without `extra` the headers are one literal of a
 * fixed shape (no spread per reply: this runs once per request on the write and read paths).
 */
export function sendJsonText(
  res: ServerResponse,
  status: number,
  text: string,
  extra?: Readonly<Record<string, string>>,
): void {
  if (extra !== undefined) {
    const headers: Record<string, string | number> = { ...JSON_HEADERS, ...extra };
    headers['content-length'] = Buffer.byteLength(text);
    res.writeHead(status, headers);
  } else {
    res.writeHead(status, {
      'access-control-allow-origin': '*',
      'access-control-allow-methods': CORS_HEADERS['access-control-allow-methods'],
      'access-control-allow-headers': CORS_HEADERS['access-control-allow-headers'],
      'access-control-expose-headers': CORS_HEADERS['access-control-expose-headers'],
      'content-type': JSON_CONTENT_TYPE,
      'cache-control': 'no-store',
      'content-length': Buffer.byteLength(text),
    });
  }
  res.end(text);
}

/** Sends a text body (metrics, dashboard) with its content type. */
export function sendText(res: ServerResponse, status: number, contentType: string, text: string): void {
  res.writeHead(status, {
    ...CORS_HEADERS,
    'content-type': contentType,
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * The one error writer. A LogClusterError goes out as `{success:false, error, code, ...details}`
 * with its status; anything else is a 500 INTERNAL that reveals nothing (the error goes to
 * `report`). A broken invariant is rethrown after the reply: it must crash the process.
 */
export function sendError(
  res: ServerResponse,
  error: unknown,
  report: (error: unknown) => void,
  extra?: Readonly<Record<string, string>>,
): void {
  if (!isLogClusterError(error)) {
    report(error);
    if (!res.headersSent) sendJson(res, 500, new LogClusterError('INTERNAL').toJSON(), extra);
    else res.destroy();
    if (error instanceof AssertionError) {
      process.nextTick(() => {
        throw error;
      });
    }
    return;
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = { ...extra };
  const retryAfterMs = error.details.retry_after_ms;
  if (typeof retryAfterMs === 'number' && retryAfterMs > 0)
    headers['retry-after'] = String(Math.ceil(retryAfterMs / 1000));
  sendJson(res, error.status, error.toJSON(), headers);
}
