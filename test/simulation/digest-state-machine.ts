/**
 * The simulated application: a state machine whose whole state is (applied index, chain digest
 * of every applied entry). Cheap to apply, and its snapshot pins the exact history it covers, so
 * a node restored from a snapshot can prove to the checker that it restored the cluster's history.
 */
import type { Entry } from '../../lib/consensus/types.js';
import { chainDigest, EMPTY_CHAIN } from './digest.js';

/** The state: the applied index and the chain digest of entries 1..index. */
export interface DigestState {
  readonly index: number;
  readonly digest: number;
}

/** The state of a node that applied nothing. */
export const EMPTY_STATE: DigestState = { index: 0, digest: EMPTY_CHAIN };

/** The state after applying `entry` (the next index). */
export function applyEntry(state: DigestState, entry: Entry): DigestState {
  return { index: entry.index, digest: chainDigest(state.digest, entry) };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Snapshot data of `state`. */
export function encodeState(state: DigestState): Uint8Array {
  return encoder.encode(JSON.stringify(state));
}

/** The state a snapshot's data holds (empty data: nothing applied). */
export function decodeState(data: Uint8Array): DigestState {
  if (data.length === 0) return EMPTY_STATE;
  return JSON.parse(decoder.decode(data)) as DigestState;
}
