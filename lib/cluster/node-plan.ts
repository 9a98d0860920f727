/**
 * Turns a resolved cluster configuration into the StorageNodeOptions of each member: its peers'
 * URLs, the voter set (the first `replicationFactor` members; the rest are learners), timing,
 * secrets and retention.
 */
import { LogClusterError } from '../errors.js';
import type { StorageNodeOptions } from '../node/options.js';
import type { ResolvedClusterConfig, ResolvedNodeSpec } from './config.js';
import { urlHost } from './config.js';

/** The member with that id, or LogClusterError('UNKNOWN_NODE') listing the valid ids. */
export function findNode(config: ResolvedClusterConfig, id: string): ResolvedNodeSpec {
  const node = config.nodes.find((n) => n.id === id);
  if (!node) {
    const known = config.nodes.map((n) => n.id).join(', ');
    throw new LogClusterError('UNKNOWN_NODE', `no node named "${id}" (nodes: ${known})`, { id });
  }
  return node;
}

/** The options node `id` starts with. */
export function nodeOptionsFor(config: ResolvedClusterConfig, id: string): StorageNodeOptions {
  const self = findNode(config, id);
  const peers: Record<string, string> = {};
  for (const node of config.nodes) if (node.id !== id) peers[node.id] = node.url;
  return {
    id,
    port: self.port,
    host: self.host,
    dataDir: self.dataDir,
    peers,
    advertiseUrl: self.url,
    voters: config.nodes.filter((n) => n.voter).map((n) => n.id),
    tickIntervalMs: config.tickIntervalMs,
    electionTimeoutMs: config.electionTimeoutMs,
    retentionMs: config.retention.maxAgeMs,
    retentionBytes: config.retention.maxBytes,
    ...(config.syslogPort == null ? {} : { syslogPort: config.syslogPort + config.nodes.indexOf(self) }),
    ...(config.token === null ? {} : { token: config.token }),
    ...(config.clusterSecret === null ? {} : { clusterSecret: config.clusterSecret }),
  };
}

/** The same configuration with the nodes laid out from a new base port (for basePort 0). */
export function withBasePort(config: ResolvedClusterConfig, basePort: number): ResolvedClusterConfig {
  const nodes = config.nodes.map((node, i) => {
    const port = node.port === 0 ? basePort + i : node.port;
    return { ...node, port, url: `http://${urlHost(node.host)}:${port}` };
  });
  return { ...config, basePort, nodes };
}
