/**
 * lib/consensus: Raft as a pure deterministic state machine. Import from here, not from the
 * individual files (they are internal).
 */

export { type SplitMessages, splitMessages } from './early-send.js';
export { applyChange, decodeConfigChange, encodeConfigChange, isMember, isVoter } from './membership.js';
export {
  ELECTION_TICKS,
  HEARTBEAT_TICKS,
  MAX_APPEND_BYTES,
  MAX_COMMITTED_BYTES_PER_READY,
  MAX_INFLIGHT_APPENDS,
  MAX_PENDING_READS,
  MAX_UNCOMMITTED_ENTRIES,
  type PlantedBugs,
  type RaftOptions,
  UNREACHABLE_DELAY_SHARE,
} from './options.js';
export { Raft } from './raft.js';
export type { ReadIndexResult } from './reads.js';
export type * from './types.js';
