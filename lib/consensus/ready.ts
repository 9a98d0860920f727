/**
 * Building a Ready (what the driver must persist, send, apply, serve) and taking it back with
 * advance(). The contract the driver follows is written on the Ready type (types.ts).
 */
import { assert } from '../assert.js';
import { selfPersisted } from './leader.js';
import { MAX_COMMITTED_BYTES_PER_READY } from './options.js';
import { bcastAppend } from './replication.js';
import type { RaftState } from './state.js';
import type { HardState, Ready } from './types.js';

/** True when ready() would return something to do. */
export function hasReady(r: RaftState): boolean {
  const u = r.log.unstable;
  return (
    r.msgs.length > 0 ||
    (r.appendPending && r.role === 'leader') ||
    u.hasUnhanded() ||
    (u.snapshot !== null && !u.snapshotInProgress) ||
    hardStateChanged(r.hardState(), r.persistedHardState) ||
    r.log.hasNextCommitted() ||
    r.readStates.length > 0 ||
    r.readRefusals.length > 0
  );
}

/** Collects everything pending into one Ready and marks it handed out. */
export function buildReady(r: RaftState): Ready {
  if (r.appendPending && r.role === 'leader') bcastAppend(r, false);
  r.appendPending = false;
  const u = r.log.unstable;
  const snapshot = u.snapshot !== null && !u.snapshotInProgress ? u.snapshot : null;
  const entries = u.toPersist();
  const hs = r.hardState();
  const prev = r.persistedHardState;
  const hardState = hardStateChanged(hs, prev) ? hs : null;
  const committed = r.log.nextCommitted(MAX_COMMITTED_BYTES_PER_READY);
  const ready: Ready = {
    hardState,
    entries,
    snapshot,
    messages: r.msgs,
    committed,
    readStates: r.readStates,
    readRefusals: r.readRefusals,
    mustSync: entries.length > 0 || snapshot !== null || hs.term !== prev.term || hs.vote !== prev.vote,
  };
  u.acceptInProgress();
  if (committed.length > 0) r.log.applying = committed[committed.length - 1].index;
  r.persistedHardState = hs;
  r.msgs = [];
  r.readStates = [];
  r.readRefusals = [];
  return ready;
}

/** The driver persisted, sent and applied `ready`: unstable entries become stable, applied moves. */
export function advanceReady(r: RaftState, ready: Ready): void {
  const log = r.log;
  if (ready.snapshot !== null) {
    log.unstable.stableSnapTo(ready.snapshot.index);
    log.applied = Math.max(log.applied, ready.snapshot.index);
    log.applying = Math.max(log.applying, ready.snapshot.index);
  }
  const last = ready.entries.at(-1);
  if (last !== undefined) {
    log.unstable.stableTo(last.index, last.term);
    if (r.role === 'leader' && log.matchTerm(last.index, last.term)) selfPersisted(r, last.index);
  }
  const applied = ready.committed.at(-1);
  if (applied !== undefined) {
    assert(applied.index <= log.committed, 'applied beyond commit');
    log.applied = Math.max(log.applied, applied.index);
  }
}

function hardStateChanged(a: HardState, b: HardState): boolean {
  return a.term !== b.term || a.vote !== b.vote || a.commit !== b.commit;
}
