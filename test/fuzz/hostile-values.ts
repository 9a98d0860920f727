/**
 * The raw material of the HTTP fuzzer: paths, query keys and values, content types and whole raw
 * requests chosen because servers have tripped over them (traversal, smuggling, truncation,
 * other protocols). arbitraries.ts combines them with random data.
 */
import { ROUTES } from '../../lib/http/routes.js';

/** Every route path, plus near misses. */
export const KNOWN_PATHS = [
  ...ROUTES.map((r) => r.path.replace('{file_path}', 'log_00000000000000000001.json')),
  '/_raft',
  '/',
  '*',
  '/read/',
  '/read',
  '/logs/',
  '/health/',
  '/HEALTH',
  '/write?',
];

/** Known query parameters, near misses and prototype keys. */
export const QUERY_KEYS = [
  'consistency',
  'level',
  'min_level',
  'source',
  'since',
  'until',
  'contains',
  'after',
  'limit',
  'order',
  'access_token',
  'last_event_id',
  'label.env',
  'label.',
  'label.a.b',
  '__proto__',
  'constructor',
  '',
  'x',
];

/** Values that are valid somewhere, malformed, huge or escaping. */
export const QUERY_VALUES = [
  'linearizable',
  'leader',
  'local',
  'LOCAL',
  'asc',
  'desc',
  'info',
  'warning',
  'fatal,error',
  '15m',
  '-1',
  '0',
  '1e9',
  '9'.repeat(40),
  'NaN',
  '',
  '2024-02-30',
  '2024-01-01T00:00:00Z',
  'null',
  '%00',
  '%',
  '%zz',
];

/** Content types the write routes accept first, then ones they must refuse. */
export const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset="UTF-8"',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'application/json;;;',
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
  'application/x-protobuf',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'text/plain',
  '',
  '*/*',
];

/** Whole raw requests: truncated heads, smuggling attempts, other protocols, bad line ends. */
export const RAW_REQUESTS = [
  'GET / HTTP/1.1\r\n',
  'GET /health HTTP/1.1\r\nHost: x\r\n',
  'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
  'GET /health\r\n\r\n',
  'POST /write HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  'POST /write HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!',
  'POST /write HTTP/1.1\r\nContent-Length: -1\r\n\r\n',
  'POST /write HTTP/1.1\r\nContent-Length: 100\r\nContent-Type: application/json\r\n\r\n{"message":',
  'POST /write HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nContent-Type: application/json\r\n\r\n{"message":',
  'POST /write HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffff\r\n',
  'GET /health HTTP/9.9\r\n\r\n',
  'GET /health HTTP/1.1\r\nHost: x\r\n\tfolded\r\n\r\n',
  'GET /health HTTP/1.1\r\nX: a\nY: b\r\n\r\n',
];
