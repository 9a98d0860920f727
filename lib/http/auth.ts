/**
 * The optional bearer token. When configured, every request but GET /health and CORS preflights
 * must present `Authorization: Bearer <token>` (or, for EventSource clients that cannot set
 * headers, `access_token=<token>` on /logs/stream). Compared in constant time.
 */

import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { LogClusterError } from '../errors.js';

const BEARER_PATTERN = /^Bearer[ \t]+(\S+)[ \t]*$/i;

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Returns a check that throws UNAUTHORIZED unless the request carries `token`. */
export function bearerCheck(token: string): (req: IncomingMessage, queryToken: string | undefined) => void {
  const expected = digest(token);
  return (req, queryToken) => {
    const header = req.headers.authorization;
    const presented = header === undefined ? queryToken : BEARER_PATTERN.exec(header)?.[1];
    // Hashing both sides gives equal lengths, so the comparison time says nothing about the token.
    if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
      throw new LogClusterError(
        'UNAUTHORIZED',
        'A valid bearer token is required (Authorization: Bearer <token>)',
      );
    }
  };
}
