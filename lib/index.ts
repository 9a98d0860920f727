/**
 * logcluster's public API. The CLI (cli/) imports only from here.
 */

// --- the cluster benchmark (logcluster bench, npm run bench) ---
export * from './bench/index.js';
// --- the node, the client ---
export * from './client/index.js';
// --- cluster: configuration, ClusterManager, detached clusters (lib/cluster) ---
export type { ClusterAccess, ProbeNodesOptions } from './cluster/cluster-access.js';
export { probeNodes } from './cluster/cluster-access.js';
export type {
  ClusterManagerOptions,
  ClusterMode,
  ClusterStatus,
  ManagedNodeStatus,
} from './cluster/cluster-manager.js';
export { ClusterManager, START_TIMEOUT_MS_DEFAULT } from './cluster/cluster-manager.js';
export type {
  ClusterConfigInput,
  ClusterNodeSpec,
  FsyncPolicy,
  ResolvedClusterConfig,
  ResolvedNodeSpec,
  RetentionConfig,
} from './cluster/config.js';
export { FSYNC_POLICIES, NODES_MAX, resolveClusterConfig } from './cluster/config.js';
export type { LoadConfigOptions } from './cluster/config-load.js';
export {
  CONFIG_ENV_VARS,
  CONFIG_FILE_NAME,
  CONFIG_PATH_ENV_VAR,
  loadClusterConfig,
} from './cluster/config-load.js';
export { controlSocketPath } from './cluster/control-socket.js';
export type { DetachedStartOptions, FailMode, RecordedNodeStatus } from './cluster/detached-cluster.js';
export { assertNotRunning, DetachedCluster } from './cluster/detached-cluster.js';
export type {
  ClusterEventMap,
  DegradedEvent,
  HealthyEvent,
  LeaderChangeEvent,
  NodeDownEvent,
  NodeDownReason,
  NodeUpEvent,
} from './cluster/events.js';
export { CLUSTER_EVENTS } from './cluster/events.js';
export { EXPOSURE_WARNING_CODE, exposureWarning, isLoopbackHost } from './cluster/exposure.js';
export type { HealthReply, NodeView, ProbeResult } from './cluster/health-monitor.js';
export { HEALTH_INTERVAL_MS, HEALTH_TIMEOUT_MS } from './cluster/health-monitor.js';
export type { IsolateDirection } from './cluster/ipc.js';
export type { NodeState } from './cluster/node-handle.js';
export { findFreePortRange } from './cluster/preflight.js';
export type { ClusterState, RecordedNode } from './cluster/state-file.js';
export {
  readClusterState,
  removeClusterState,
  stateFilePath,
  writeClusterState,
} from './cluster/state-file.js';
// --- the dashboard page and the local server of `logcluster dashboard` (lib/dashboard) ---
export type {
  DashboardControl,
  DashboardFailMode,
  DashboardServer,
  DashboardServerOptions,
} from './dashboard/dashboard-server.js';
export { startDashboardServer } from './dashboard/dashboard-server.js';
export { type DashboardConfig, dashboardPage, dashboardPath } from './dashboard/page.js';
export type { ErrorCode, ErrorSpec } from './errors.js';
export { ERRORS, EXIT, isLogClusterError, LogClusterError } from './errors.js';
export {
  ELECTION_TIMEOUT_MS_DEFAULT,
  type StorageNodeOptions,
  TICK_INTERVAL_MS_DEFAULT,
} from './node/options.js';
export { type NodeStatus, STOP_GRACE_MS, StorageNode } from './node/storage-node.js';
