/**
 * lib/client's public surface: LogClusterClient, its options and the types of what it returns.
 */

export { LogClusterClient } from './client.js';
export { errorFromReply } from './error-body.js';
export { CLIENT_RESPONSE_BYTES_MAX, CLIENT_SOCKETS_PER_NODE_MAX } from './http.js';
export {
  CLIENT_RETRIES_DEFAULT,
  CLIENT_RETRIES_MAX,
  CLIENT_RETRY_BASE_MS_DEFAULT,
  CLIENT_RETRY_DELAY_MS_MAX,
  CLIENT_TIMEOUT_MS_DEFAULT,
  CLIENT_TIMEOUT_MS_MAX,
  type LogClusterClientOptions,
} from './options.js';
export { SSE_EVENT_CHARS_MAX } from './sse.js';
export type {
  ClusterMember,
  ClusterReport,
  HealthReport,
  LogEntryInput,
  LogLevel,
  LogQuery,
  LogRecord,
  QueryResult,
  ReadConsistency,
  ReadOptions,
  StatsReport,
  StreamOptions,
  WriteOptions,
  WriteResult,
} from './types.js';
