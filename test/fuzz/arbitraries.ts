/**
 * fast-check arbitraries for hostile HTTP requests: random and near-valid methods, paths (route
 * table paths, traversal attempts, unicode, huge), query strings, headers (content types,
 * encodings, auth, upgrade, random), bodies (valid entries and batches, NDJSON, random JSON,
 * deep nesting, invalid UTF-8, oversized) and framings (length, chunked, none, raw bytes).
 * A share of the requests are valid writes with unique ids, read back after the run.
 */
import fc from 'fast-check';
import { FORWARDED_HEADER } from '../../lib/http/service.js';
import { CONTENT_TYPES, KNOWN_PATHS, QUERY_KEYS, QUERY_VALUES, RAW_REQUESTS } from './hostile-values.js';
import type { RawRequest } from './raw-http.js';

/** Largest body generated: above BODY_BYTES_MAX (4 MiB), so the 413 path is exercised. */
export const FUZZ_BODY_BYTES_MAX = 5 * 1024 * 1024;
/** Longest generated header value: big, but the whole head stays under HEADER_BYTES_MAX mostly. */
export const FUZZ_HEADER_VALUE_CHARS_MAX = 6_000;
/** Deepest generated JSON nesting (a recursive parser or serializer would overflow its stack). */
export const FUZZ_NESTING_MAX = 200_000;

/** The prefix of ids of the valid writes the run tracks (it makes each id unique before sending). */
export const VALID_ID_PREFIX = 'fuzz-ok-';

const tokenChars = fc.constantFrom(
  ..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~",
);
const token = fc.string({ unit: tokenChars, minLength: 1, maxLength: 20 });
/** Header values: printable ASCII and a little obs-text, no CR/LF (the head stays parseable). */
const headerValue = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 80 }),
  fc.integer({ min: 1, max: FUZZ_HEADER_VALUE_CHARS_MAX }).map((n) => 'v'.repeat(n)),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);

/** A path segment that tries to escape: traversal, encodings, separators, NUL, unicode. */
const sneakySegment = fc.oneof(
  fc.constantFrom(
    '..',
    '%2e%2e',
    '%2E%2E%2F',
    '..%2f..%2fetc%2fpasswd',
    '%5c',
    '\\..\\',
    '%00',
    '/etc/passwd',
    '.',
    '~',
    'log_1.json',
    'log_000000000000000000001.json',
    'a'.repeat(200),
  ),
  fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => encodeURIComponent(s)),
  fc.string({ unit: fc.constantFrom('a', '.', '/', '%', '2', 'e', 'f', '\\', '-', '_', ':'), maxLength: 40 }),
);

const path = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...KNOWN_PATHS) },
  { weight: 3, arbitrary: sneakySegment.map((s) => `/read/${s}`) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => `/${encodeURI(s)}`) },
  { weight: 1, arbitrary: fc.constantFrom(...KNOWN_PATHS).map((p) => `http://127.0.0.1${p}`) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 12_000 }).map((n) => `/${'x'.repeat(n)}`) },
);

const query = fc
  .array(
    fc.tuple(
      fc.oneof(fc.constantFrom(...QUERY_KEYS), fc.string({ maxLength: 10 })),
      fc.oneof(fc.constantFrom(...QUERY_VALUES), fc.string({ maxLength: 30 }), fc.integer().map(String)),
      fc.boolean(),
    ),
    { maxLength: 6 },
  )
  .map((pairs) =>
    pairs.length === 0
      ? ''
      : `?${pairs.map(([k, v, raw]) => (raw ? `${k}=${v}`.replace(/[\s#]/g, '+') : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)).join('&')}`,
  );

const headers = fc.array(
  fc.oneof(
    fc.tuple(fc.constant('Content-Type'), fc.oneof(fc.constantFrom(...CONTENT_TYPES), headerValue)),
    fc.tuple(
      fc.constant('Content-Encoding'),
      fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-unknown'),
    ),
    fc.tuple(
      fc.constant('Authorization'),
      fc.oneof(fc.constantFrom('Bearer ', 'Bearer x', 'Basic Zm9vOmJhcg=='), headerValue),
    ),
    fc.tuple(fc.constant('Last-Event-ID'), fc.oneof(fc.constantFrom('0', '-1', '1e400', 'abc'), headerValue)),
    fc.tuple(fc.constant(FORWARDED_HEADER), fc.constantFrom('1', '0', 'yes')),
    fc.tuple(fc.constant('Connection'), fc.constantFrom('close', 'keep-alive', 'Upgrade', 'upgrade, close')),
    fc.tuple(fc.constant('Upgrade'), fc.constantFrom('logcluster-raft', 'websocket', 'h2c')),
    fc.tuple(fc.constant('Expect'), fc.constantFrom('100-continue', 'nonsense')),
    fc.tuple(fc.constant('Accept-Encoding'), fc.constantFrom('gzip', 'br', '*')),
    fc.tuple(fc.constant('Origin'), fc.constantFrom('null', 'http://evil.example', 'file://')),
    fc.tuple(token, headerValue),
  ),
  { maxLength: 8 },
);

/** A valid entry (ids may repeat: a repeat is an idempotent retry). */
export const validEntry = fc.record({
  id: fc.uuid().map((u) => `fuzz-${u}`),
  message: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }).filter((s) => s.trim() !== ''),
  level: fc.constantFrom('trace', 'debug', 'info', 'warn', 'warning', 'error', 'fatal', 'INFO'),
  source: fc.constantFrom('fuzz', 'app', 'a.b-c'),
  labels: fc.dictionary(fc.constantFrom('env', 'k', 'region_1'), fc.string({ maxLength: 10 }), {
    maxKeys: 3,
  }),
});

const deep = fc
  .integer({ min: 10, max: FUZZ_NESTING_MAX })
  .chain((n) =>
    fc.constantFrom(
      `${'['.repeat(n)}${']'.repeat(n)}`,
      `{"message":"deep","x":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`,
      `{"message":"deep","x":${'['.repeat(n)}${']'.repeat(n)}}`,
    ),
  );

const body = fc
  .oneof(
    { weight: 3, arbitrary: validEntry.map((e) => JSON.stringify(e)) },
    {
      weight: 2,
      arbitrary: fc.array(validEntry, { minLength: 1, maxLength: 5 }).map((b) => JSON.stringify(b)),
    },
    {
      weight: 1,
      arbitrary: fc
        .array(validEntry, { maxLength: 5 })
        .map((b) => b.map((e) => JSON.stringify(e)).join('\n')),
    },
    { weight: 2, arbitrary: fc.json() },
    {
      weight: 2,
      arbitrary: fc
        .record(
          {
            message: fc.jsonValue(),
            level: fc.jsonValue(),
            id: fc.jsonValue(),
            labels: fc.jsonValue(),
            timestamp: fc.jsonValue(),
          },
          { requiredKeys: [] },
        )
        .map((o) => JSON.stringify(o)),
    },
    { weight: 1, arbitrary: deep },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: 65_000, max: FUZZ_BODY_BYTES_MAX })
        .map((n) => JSON.stringify({ message: 'm'.repeat(n) })),
    },
    {
      weight: 1,
      arbitrary: fc.constant(JSON.stringify(Array.from({ length: 1001 }, (_, i) => ({ message: `b${i}` })))),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '',
        'null',
        '[]',
        '{}',
        '"x"',
        '{"message":"\\ud800"}',
        '{"message":"a","__proto__":{"x":1}}',
      ),
    },
  )
  .map((text) => Buffer.from(text, 'utf8'));

const bytes = fc.uint8Array({ maxLength: 2_000 }).map((a) => Buffer.from(a));

/** Raw requests no parser should trip over: garbage, truncated heads, smuggling, other protocols. */
const rawRequest = fc.oneof(
  bytes,
  fc.constantFrom(...RAW_REQUESTS).map((s) => Buffer.from(s, 'latin1')),
);

const method = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('GET', 'POST') },
  {
    weight: 2,
    arbitrary: fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND', 'get'),
  },
  { weight: 1, arbitrary: token },
);

const anyBody = fc.oneof(
  { weight: 3, arbitrary: body },
  { weight: 1, arbitrary: bytes },
  { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
);
const framing = fc.constantFrom('length', 'length', 'length', 'length', 'chunked', 'none') as fc.Arbitrary<
  RawRequest['framing']
>;
const withHost = headers.map((h) => [['Host', '127.0.0.1'] as const, ...h]);

/** Aimed at the write routes: POST with JSON-ish content types and every kind of body. */
const writeRequest = fc.record({
  method: fc.constant('POST'),
  target: fc
    .tuple(fc.constantFrom('/write', '/write', '/write', '/loki/api/v1/push', '/v1/logs'), query)
    .map(([p, q]) => `${p}${q}`),
  headers: fc
    .tuple(fc.constantFrom(...CONTENT_TYPES.slice(0, 9)), headers)
    .map(([type, h]) => [['Host', '127.0.0.1'] as const, ['Content-Type', type] as const, ...h]),
  body: anyBody,
  framing,
});

/** Aimed at the read routes: GET with sneaky paths and hostile query strings. */
const readRequest = fc.record({
  method: fc.constant('GET'),
  target: fc
    .tuple(
      fc.oneof(
        sneakySegment.map((seg) => `/read/${seg}`),
        fc.constantFrom('/logs', '/logs/stream', '/read/log_00000000000000000001.json', '/stats', '/cluster'),
      ),
      query,
    )
    .map(([p, q]) => `${p}${q}`),
  headers: withHost,
  body: fc.constant(Buffer.alloc(0)),
  framing: fc.constant('length' as const),
});

/** Anything structured: any method, path, header and body. */
const anyRequest = fc.record({
  method,
  target: fc.tuple(path, query).map(([p, q]) => (p === '*' ? p : `${p}${q}`)),
  headers: withHost,
  body: anyBody,
  framing,
});

/** One request: aimed at writes, at reads, anything structured, or raw bytes. */
export const request: fc.Arbitrary<RawRequest> = fc.oneof(
  { weight: 3, arbitrary: writeRequest },
  { weight: 3, arbitrary: readRequest },
  { weight: 3, arbitrary: anyRequest },
  {
    weight: 1,
    arbitrary: rawRequest.map((raw) => ({
      method: 'RAW',
      target: '',
      headers: [],
      body: raw,
      framing: 'raw' as const,
    })),
  },
);

/** A valid single-entry write (mixed into every run so real work goes on while being attacked). */
export const validWrite: fc.Arbitrary<RawRequest> = validEntry.map((entry) =>
  trackedWrite({ ...entry, id: VALID_ID_PREFIX }),
);

function trackedWrite(entry: object): RawRequest {
  return {
    method: 'POST',
    target: '/write',
    headers: [
      ['Host', '127.0.0.1'],
      ['Content-Type', 'application/json'],
    ],
    body: Buffer.from(JSON.stringify(entry)),
    framing: 'length',
  };
}

/** `req` with a unique id in place of a tracked write's VALID_ID_PREFIX, else `req` itself. */
export function uniqueTracked(req: RawRequest, unique: () => string): RawRequest {
  if (req.target !== '/write' || !req.body.includes(`"id":"${VALID_ID_PREFIX}"`)) return req;
  const entry = JSON.parse(req.body.toString()) as Record<string, unknown>;
  return trackedWrite({ ...entry, id: `${VALID_ID_PREFIX}${unique()}` });
}
