/**
 * HttpTransport options and their validation: a bad option throws LogClusterError('INVALID_OPTION')
 * naming the option and the value (the secret's value is never echoed).
 */
import type { NodeId } from '../consensus/types.js';
import { LogClusterError } from '../errors.js';

/** The cluster id peers present when none is configured. */
export const CLUSTER_ID_DEFAULT = 'logcluster';

/** Longest queue a caller may configure: beyond it a dead peer would pin too much memory. */
export const PEER_QUEUE_MESSAGES_LIMIT = 1_000_000;

/** Same rule as StorageNode ids: safe in headers, file names and URLs. */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
/** Header-safe printable text: no control characters, so no header injection. */
const HEADER_TEXT = /^[\x21-\x7e][\x20-\x7e]*$/;
/** Shortest accepted secret (the StorageNode rule). */
const SECRET_CHARS_MIN = 8;
/** Longest accepted secret or cluster id: fits comfortably in one header line. */
const HEADER_CHARS_MAX = 512;

/** What an HttpTransport is told at construction. */
export interface HttpTransportOptions {
  /** This node's id. */
  readonly id: NodeId;
  /** Every other member by id, as a base URL (`http://127.0.0.1:5002`); the path is ignored. */
  readonly peers: Readonly<Record<NodeId, string>>;
  /** Cluster id presented and required in handshakes (default CLUSTER_ID_DEFAULT). */
  readonly clusterId?: string;
  /** Secret presented and required in handshakes; none (default): peers are not authenticated. */
  readonly clusterSecret?: string | null;
  /** Messages queued per peer before drops (default PEER_QUEUE_MESSAGES_MAX). */
  readonly queueMessagesMax?: number;
  /** PEM certificate(s) to trust when peers are https:// (a cluster with its own CA). */
  readonly ca?: string;
  /** Receives one line per connection event (connects, losses, refusals); never sees a secret. */
  readonly log?: (line: string) => void;
}

/** Options after validation. */
export interface ResolvedTransportOptions {
  readonly id: NodeId;
  readonly peers: ReadonlyMap<NodeId, URL>;
  readonly clusterId: string;
  readonly clusterSecret: string | null;
  readonly queueMessagesMax: number | undefined;
  readonly ca: string | undefined;
  readonly log: (line: string) => void;
}

function invalid(option: string, shown: string, why: string): LogClusterError {
  return new LogClusterError('INVALID_OPTION', `option ${option} ${why} (got ${shown})`, { option });
}

function show(value: unknown): string {
  return typeof value === 'function' ? 'a function' : (JSON.stringify(value) ?? String(value));
}

function checkPeers(self: NodeId, peers: unknown): Map<NodeId, URL> {
  if (typeof peers !== 'object' || peers === null) throw invalid('peers', show(peers), 'must be an object');
  const out = new Map<NodeId, URL>();
  for (const [id, value] of Object.entries(peers)) {
    if (!ID_PATTERN.test(id) || id === self) {
      throw invalid(
        `peers.${id}`,
        show(id),
        'must be another node id of 1-63 letters, digits, "_", "." or "-"',
      );
    }
    let url: URL | null = null;
    try {
      url = typeof value === 'string' ? new URL(value) : null;
    } catch {
      url = null;
    }
    if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw invalid(`peers.${id}`, show(value), 'must be an http(s) URL like http://127.0.0.1:5002');
    }
    out.set(id, url);
  }
  return out;
}

/** Validates `options`. */
export function resolveTransportOptions(options: HttpTransportOptions): ResolvedTransportOptions {
  if (typeof options !== 'object' || options === null)
    throw invalid('options', show(options), 'must be an object');
  const { id, clusterId, clusterSecret, queueMessagesMax, log } = options;
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    throw invalid('id', show(id), 'must be 1-63 letters, digits, "_", "." or "-"');
  }
  if (
    clusterId !== undefined &&
    (typeof clusterId !== 'string' || clusterId.length > HEADER_CHARS_MAX || !HEADER_TEXT.test(clusterId))
  ) {
    throw invalid('clusterId', show(clusterId), `must be 1-${HEADER_CHARS_MAX} printable ASCII characters`);
  }
  if (
    clusterSecret !== undefined &&
    clusterSecret !== null &&
    (typeof clusterSecret !== 'string' ||
      clusterSecret.length < SECRET_CHARS_MIN ||
      clusterSecret.length > HEADER_CHARS_MAX ||
      !HEADER_TEXT.test(clusterSecret))
  ) {
    throw invalid(
      'clusterSecret',
      '<redacted>',
      `must be ${SECRET_CHARS_MIN}-${HEADER_CHARS_MAX} printable ASCII characters`,
    );
  }
  if (
    queueMessagesMax !== undefined &&
    (!Number.isInteger(queueMessagesMax) ||
      queueMessagesMax < 1 ||
      queueMessagesMax > PEER_QUEUE_MESSAGES_LIMIT)
  ) {
    throw invalid(
      'queueMessagesMax',
      show(queueMessagesMax),
      `must be an integer from 1 to ${PEER_QUEUE_MESSAGES_LIMIT}`,
    );
  }
  if (log !== undefined && typeof log !== 'function') throw invalid('log', show(log), 'must be a function');
  return {
    id,
    peers: checkPeers(id, options.peers),
    clusterId: clusterId ?? CLUSTER_ID_DEFAULT,
    clusterSecret: clusterSecret ?? null,
    queueMessagesMax,
    ca: options.ca,
    log: log ?? (() => {}),
  };
}
