/**
 * lib/transport's public surface: the Transport interface and its three implementations, the
 * wire codec and the handshake helpers a node's HTTP layer needs.
 */

export { backoffDelayMs } from './backoff.js';
export {
  decodeFrame,
  decodeFrameBody,
  encodedMessageBytes,
  encodeFrame,
  FRAME_BYTES_MAX,
  FRAME_HEADER_BYTES,
  FRAME_OVERHEAD_BYTES,
  PEER_PROTOCOL_VERSION,
  PEER_STRING_BYTES_MAX,
  WIRE_INTEGER_MAX,
} from './codec.js';
export { FaultFilter, type Faults } from './fault-filter.js';
export { FrameReader } from './frame-reader.js';
export { PEER_HEADERS, PEER_UPGRADE_PATH, PEER_UPGRADE_PROTOCOL, refuseUpgrade } from './handshake.js';
export { HttpTransport, type InboundStats, PEER_INBOUND_IDLE_TIMEOUT_MS } from './http-transport.js';
export { MemoryNetwork, type MemoryNetworkOptions, MemoryTransport } from './memory-transport.js';
export {
  PEER_CONNECT_TIMEOUT_MS,
  PEER_KEEPALIVE_INTERVAL_MS,
  PEER_RECONNECT_BASE_MS,
  PEER_RECONNECT_MAX_MS,
  PEER_SOCKET_BUFFER_BYTES_MAX,
  PEER_WRITE_TIMEOUT_MS,
} from './peer-link.js';
export {
  PEER_QUEUE_MESSAGES_MAX,
  type PeerReachableHandler,
  type PeerStats,
  type PeerUnreachableHandler,
  type ReceiveHandler,
  type Transport,
} from './transport.js';
export { CLUSTER_ID_DEFAULT, type HttpTransportOptions } from './transport-options.js';
