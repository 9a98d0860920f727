/**
 * The warning for a node reachable beyond this machine without a client token: anyone who can
 * reach the address could read and write every log. Loopback is the default precisely so that
 * this takes a deliberate choice; the warning makes sure the choice is seen.
 */
import type { ResolvedClusterConfig } from './config.js';

/** The `code` of the process warning ClusterManager and DetachedCluster emit. */
export const EXPOSURE_WARNING_CODE = 'LOGCLUSTER_EXPOSED';

/** True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const bare = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/**
 * The warning for nodes listening on `hosts` with this token and cluster secret, or null when
 * every host is loopback or a token is set. Never contains the token or secret themselves.
 */
export function exposureWarning(
  hosts: readonly string[],
  token: string | null | undefined,
  clusterSecret?: string | null,
): string | null {
  const exposed = [...new Set(hosts.filter((h) => !isLoopbackHost(h)))];
  if (exposed.length === 0 || (token !== null && token !== undefined && token !== '')) return null;
  const peers =
    clusterSecret === null || clusterSecret === undefined || clusterSecret === ''
      ? '; without a cluster secret anyone can also join as a peer (--cluster-secret / LOGCLUSTER_CLUSTER_SECRET)'
      : '';
  return (
    `listening on ${exposed.join(', ')} without a token: anyone who can reach ${exposed.length === 1 ? 'it' : 'them'} ` +
    `can read and write every log; set a token (--token / LOGCLUSTER_TOKEN / "token" in the config)${peers}`
  );
}

/** Emits the exposure warning (process.emitWarning, code EXPOSURE_WARNING_CODE) when it applies. */
export function warnIfExposed(config: ResolvedClusterConfig): void {
  const warning = exposureWarning(
    config.nodes.map((n) => n.host),
    config.token,
    config.clusterSecret,
  );
  if (warning !== null) process.emitWarning(warning, { code: EXPOSURE_WARNING_CODE });
}
