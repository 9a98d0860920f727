/**
 * The node's public HTTP API: createHttpApi over a NodeService, and the types around it.
 */

export type { HttpApiOptions } from './context.js';
export * from './limits.js';
export { ROUTES, type Route } from './routes.js';
export { createHttpApi, type HttpApi } from './server.js';
export * from './service.js';
