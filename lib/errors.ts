/**
 * The one registry of expected failures (kind 2 in ARCHITECTURE.md). Every code is stable:
 * clients, the CLI and the docs' error table (docs/errors.md, kept in sync by
 * test/errors.test.ts) depend on it. Add codes; never rename or reuse one.
 */

/** What one registry row promises: the HTTP status a node answers with and the CLI exit code. */
export interface ErrorSpec {
  readonly status: number;
  readonly exitCode: number;
  readonly message: string;
}

/** CLI exit codes, one per class of failure, so scripts can branch on them. */
export const EXIT = {
  ok: 0,
  general: 1,
  usage: 2,
  notFound: 3,
  unavailable: 4,
  unauthorized: 5,
  storage: 6,
  config: 7,
  conflict: 8,
  tooLarge: 9,
  overloaded: 10,
} as const;

export const ERRORS = {
  // --- bad input (400/413/415) ---
  INVALID_JSON: { status: 400, exitCode: EXIT.usage, message: 'The request body is not valid JSON' },
  INVALID_ENTRY: { status: 400, exitCode: EXIT.usage, message: 'A log entry field is invalid' },
  INVALID_BODY: {
    status: 400,
    exitCode: EXIT.usage,
    message: 'The request body is not valid for its content type or encoding',
  },
  INVALID_QUERY: { status: 400, exitCode: EXIT.usage, message: 'A query parameter is invalid' },
  INVALID_PATH: { status: 400, exitCode: EXIT.usage, message: 'The path is not a valid entry reference' },
  EMPTY_BATCH: { status: 400, exitCode: EXIT.usage, message: 'The batch holds no entries' },
  BODY_TOO_LARGE: { status: 413, exitCode: EXIT.tooLarge, message: 'The request body is too large' },
  BATCH_TOO_LARGE: { status: 413, exitCode: EXIT.tooLarge, message: 'The batch holds too many entries' },
  ENTRY_TOO_LARGE: { status: 413, exitCode: EXIT.tooLarge, message: 'A log entry is too large' },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    exitCode: EXIT.usage,
    message: 'The content type is not supported',
  },
  BAD_REQUEST: { status: 400, exitCode: EXIT.usage, message: 'The request is not valid HTTP' },
  REQUEST_TIMEOUT: {
    status: 408,
    exitCode: EXIT.unavailable,
    message: 'The request was not received in time',
  },
  HEADERS_TOO_LARGE: { status: 431, exitCode: EXIT.tooLarge, message: 'The request headers are too large' },

  // --- routes ---
  ROUTE_NOT_FOUND: { status: 404, exitCode: EXIT.usage, message: 'No such route' },
  METHOD_NOT_ALLOWED: { status: 405, exitCode: EXIT.usage, message: 'Method not allowed on this route' },

  // --- reads ---
  NOT_FOUND: { status: 404, exitCode: EXIT.notFound, message: 'File not found' },
  COMPACTED: { status: 410, exitCode: EXIT.notFound, message: 'The entry was removed by retention' },

  // --- access control ---
  UNAUTHORIZED: { status: 401, exitCode: EXIT.unauthorized, message: 'A valid token is required' },
  PEER_UNAUTHORIZED: {
    status: 401,
    exitCode: EXIT.unauthorized,
    message: 'The peer did not present the cluster secret',
  },

  // --- availability (503) ---
  NO_LEADER: { status: 503, exitCode: EXIT.unavailable, message: 'No leader is known' },
  NOT_LEADER: { status: 503, exitCode: EXIT.unavailable, message: 'This node is not the leader' },
  NO_QUORUM: { status: 503, exitCode: EXIT.unavailable, message: 'A quorum of voters cannot be reached' },
  NOT_READY: { status: 503, exitCode: EXIT.unavailable, message: 'The node is not ready to serve' },
  TRANSFER_IN_PROGRESS: {
    status: 503,
    exitCode: EXIT.unavailable,
    message: 'Leadership is being transferred',
  },
  OUTCOME_UNKNOWN: {
    status: 503,
    exitCode: EXIT.unavailable,
    message: 'The write may or may not have been stored; retry with the same id',
  },
  TIMEOUT: { status: 503, exitCode: EXIT.unavailable, message: 'The operation timed out' },
  SHUTTING_DOWN: { status: 503, exitCode: EXIT.unavailable, message: 'The node is shutting down' },
  UNAVAILABLE: {
    status: 503,
    exitCode: EXIT.unavailable,
    message: 'No node of the cluster could be reached',
  },

  // --- back-pressure ---
  OVERLOADED: { status: 429, exitCode: EXIT.overloaded, message: 'The node is overloaded; retry later' },

  // --- storage (environmental) ---
  DISK_FULL: { status: 507, exitCode: EXIT.storage, message: 'The disk is full' },
  STORAGE_CORRUPT: { status: 500, exitCode: EXIT.storage, message: 'Stored data failed its checksum' },
  STORAGE_CLOSED: { status: 503, exitCode: EXIT.storage, message: 'The storage engine is closed' },
  STORAGE_IO: { status: 500, exitCode: EXIT.storage, message: 'A disk operation failed' },

  // --- peers ---
  PEER_PROTOCOL_MISMATCH: {
    status: 400,
    exitCode: EXIT.config,
    message: 'The peer speaks another protocol version',
  },
  PEER_CLUSTER_MISMATCH: {
    status: 400,
    exitCode: EXIT.config,
    message: 'The peer belongs to another cluster',
  },
  PEER_FRAME_INVALID: { status: 400, exitCode: EXIT.general, message: 'The peer frame is malformed' },

  // --- library, config and CLI ---
  USAGE: { status: 400, exitCode: EXIT.usage, message: 'The command line is not valid' },
  INVALID_OPTION: { status: 400, exitCode: EXIT.config, message: 'An option is invalid' },
  CONFIG_INVALID: { status: 400, exitCode: EXIT.config, message: 'The configuration file is invalid' },
  PORT_IN_USE: { status: 500, exitCode: EXIT.config, message: 'The port is already in use' },
  DATA_DIR_UNWRITABLE: { status: 500, exitCode: EXIT.storage, message: 'The data directory is not writable' },
  UNKNOWN_NODE: { status: 404, exitCode: EXIT.notFound, message: 'No node has that name' },
  NOT_RUNNING: { status: 404, exitCode: EXIT.notFound, message: 'No cluster is running there' },
  ALREADY_RUNNING: { status: 409, exitCode: EXIT.conflict, message: 'A cluster is already running there' },
  START_TIMEOUT: {
    status: 503,
    exitCode: EXIT.unavailable,
    message: 'The cluster did not elect a leader in time',
  },

  // --- bugs that escaped (never expected; kept so the shape stays one) ---
  INTERNAL: { status: 500, exitCode: EXIT.general, message: 'Internal error' },
} as const satisfies Record<string, ErrorSpec>;

/** A stable error code. */
export type ErrorCode = keyof typeof ERRORS;

/**
 * The typed error for every expected failure. `message` is a human sentence that names the field
 * or value at fault; `details` carries hints (leader_id, leader_url, field) that go into the JSON
 * error body as they are.
 */
export class LogClusterError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly exitCode: number;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: ErrorCode,
    message?: string,
    details: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(message ?? ERRORS[code].message, options);
    this.name = 'LogClusterError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.exitCode = ERRORS[code].exitCode;
    this.details = details;
  }

  /** The JSON error body of API.md: `{success: false, error, code, ...hints}`. */
  toJSON(): Record<string, unknown> {
    return { success: false, error: this.message, code: this.code, ...this.details };
  }
}

/** True when `value` is a LogClusterError, also one from another copy of this module (checks the shape). */
export function isLogClusterError(value: unknown): value is LogClusterError {
  if (value instanceof LogClusterError) return true;
  if (!(value instanceof Error) || !('status' in value)) return false;
  const code: unknown = (value as Error & { code?: unknown }).code;
  return typeof code === 'string' && code in ERRORS;
}
