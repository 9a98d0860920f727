/**
 * logcluster's public API. The CLI (cli/) imports only from here.
 */

export type { ErrorCode, ErrorSpec } from './errors.js';
export { ERRORS, EXIT, isLogClusterError, LogClusterError } from './errors.js';
