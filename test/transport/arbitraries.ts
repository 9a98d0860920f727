/**
 * fast-check arbitraries for every Message type. Each builder is annotated with its Message
 * variant, so a field added to lib/consensus/types.ts fails to compile here until generated.
 */
import fc from 'fast-check';
import type { Entry, Message, NodeId, RefusalReason, Snapshot } from '../../lib/consensus/types.js';
import { WIRE_INTEGER_MAX } from '../../lib/transport/codec.js';

export const nodeId: fc.Arbitrary<NodeId> = fc.oneof(
  fc.constantFrom('node1', 'node2', 'node3'),
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,20}$/),
);
const nat = fc.oneof(fc.nat(1000), fc.nat({ max: WIRE_INTEGER_MAX }));
const int = fc.oneof(
  fc.integer({ min: -1, max: 1000 }),
  fc.integer({ min: -WIRE_INTEGER_MAX, max: WIRE_INTEGER_MAX }),
);
const context = fc.oneof(fc.constant(''), fc.string({ maxLength: 40 }), fc.uuid());
const data = fc.uint8Array({ maxLength: 64 });
const reason: fc.Arbitrary<RefusalReason | null> = fc.constantFrom(
  null,
  'not-leader',
  'transfer-in-progress',
  'window-full',
  'config-change-pending',
  'invalid-request',
);

export const entry: fc.Arbitrary<Entry> = fc.record({
  index: nat,
  term: nat,
  type: fc.constantFrom('normal', 'noop', 'config'),
  data,
});

export const snapshot: fc.Arbitrary<Snapshot> = fc.record({
  index: nat,
  term: nat,
  config: fc.record({
    voters: fc.array(nodeId, { maxLength: 5 }),
    learners: fc.array(nodeId, { maxLength: 3 }),
  }),
  data: fc.uint8Array({ maxLength: 256 }),
});

const base = fc.record({ from: nodeId, to: nodeId, term: nat });

/** One arbitrary per message type; the keys double as the list of every type. */
export const messageByType = {
  vote: fc
    .tuple(base, nat, nat, fc.boolean(), fc.constantFrom('vote' as const, 'pre-vote' as const))
    .map(
      ([b, lastIndex, lastTerm, transfer, type]): Message => ({ ...b, type, lastIndex, lastTerm, transfer }),
    ),
  voteResponse: fc
    .tuple(base, fc.boolean(), fc.constantFrom('vote-response' as const, 'pre-vote-response' as const))
    .map(([b, granted, type]): Message => ({ ...b, type, granted })),
  append: fc.tuple(base, nat, nat, nat, fc.array(entry, { maxLength: 8 })).map(
    ([b, prevIndex, prevTerm, commit, entries]): Message => ({
      ...b,
      type: 'append',
      prevIndex,
      prevTerm,
      commit,
      entries,
    }),
  ),
  appendResponse: fc.tuple(base, fc.boolean(), int, int, int).map(
    ([b, success, index, hintIndex, hintTerm]): Message => ({
      ...b,
      type: 'append-response',
      success,
      index,
      hintIndex,
      hintTerm,
    }),
  ),
  heartbeat: fc
    .tuple(base, nat, context)
    .map(([b, commit, ctx]): Message => ({ ...b, type: 'heartbeat', commit, context: ctx })),
  heartbeatResponse: fc
    .tuple(base, context)
    .map(([b, ctx]): Message => ({ ...b, type: 'heartbeat-response', context: ctx })),
  snapshot: fc.tuple(base, snapshot).map(([b, s]): Message => ({ ...b, type: 'snapshot', snapshot: s })),
  timeoutNow: base.map((b): Message => ({ ...b, type: 'timeout-now' })),
  readIndex: fc.tuple(base, context).map(([b, ctx]): Message => ({ ...b, type: 'read-index', context: ctx })),
  readIndexResponse: fc.tuple(base, context, int, reason).map(
    ([b, ctx, index, why]): Message => ({
      ...b,
      type: 'read-index-response',
      context: ctx,
      index,
      reason: why,
    }),
  ),
};

export const message: fc.Arbitrary<Message> = fc.oneof(...Object.values(messageByType));

/** Copies every data view into a plain array so deepEqual compares content, not Buffer vs Uint8Array. */
export function plain(messages: readonly Message[]): unknown[] {
  return messages.map((m) => {
    if (m.type === 'append') return { ...m, entries: m.entries.map((e) => ({ ...e, data: [...e.data] })) };
    if (m.type === 'snapshot') return { ...m, snapshot: { ...m.snapshot, data: [...m.snapshot.data] } };
    return m;
  });
}
