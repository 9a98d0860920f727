/**
 * Type tags of the peer wire format, and a compile-time check that every Message field has a
 * place on the wire (it fails the build when lib/consensus/types.ts gains a field).
 */
import type { EntryType, Message, MessageType, RefusalReason } from '../consensus/types.js';

/** Message type -> wire tag (a Record: a new type fails the build until tagged). */
export const MESSAGE_TAGS: Readonly<Record<MessageType, number>> = {
  vote: 1,
  'pre-vote': 2,
  'vote-response': 3,
  'pre-vote-response': 4,
  append: 5,
  'append-response': 6,
  heartbeat: 7,
  'heartbeat-response': 8,
  snapshot: 9,
  'timeout-now': 10,
  'read-index': 11,
  'read-index-response': 12,
};
/** Wire tag -> message type (undefined: invalid tag). */
export const TAG_TYPES: readonly (MessageType | undefined)[] = (() => {
  const types: (MessageType | undefined)[] = [];
  for (const [type, tag] of Object.entries(MESSAGE_TAGS)) types[tag] = type as MessageType;
  return types;
})();

/** Wire tag -> entry type. */
export const ENTRY_TYPES: readonly EntryType[] = ['normal', 'noop', 'config'];
/** Entry type -> wire tag. */
export const ENTRY_TAGS: Readonly<Record<EntryType, number>> = { normal: 0, noop: 1, config: 2 };

/** Refusal reasons on the wire; 0 means null. A Record, so a new reason fails the build until tagged. */
export const REASON_TAGS: Readonly<Record<RefusalReason, number>> = {
  'not-leader': 1,
  'transfer-in-progress': 2,
  'window-full': 3,
  'config-change-pending': 4,
  'invalid-request': 5,
};
/** Wire tag -> refusal reason (0 and unknown tags: undefined). */
export const TAG_REASONS: readonly (RefusalReason | undefined)[] = (() => {
  const reasons: (RefusalReason | undefined)[] = [];
  for (const [reason, tag] of Object.entries(REASON_TAGS)) reasons[tag] = reason as RefusalReason;
  return reasons;
})();

/**
 * The fields each message type carries beyond type/from/to/term, in wire order. The compile-time
 * check below fails the build when consensus/types.ts gains a field this list does not name.
 */
const FIELDS = {
  vote: ['lastIndex', 'lastTerm', 'transfer'],
  'pre-vote': ['lastIndex', 'lastTerm', 'transfer'],
  'vote-response': ['granted'],
  'pre-vote-response': ['granted'],
  append: ['prevIndex', 'prevTerm', 'commit', 'entries'],
  'append-response': ['success', 'index', 'hintIndex', 'hintTerm'],
  heartbeat: ['commit', 'context'],
  'heartbeat-response': ['context'],
  snapshot: ['snapshot'],
  'timeout-now': [],
  'read-index': ['context'],
  'read-index-response': ['context', 'index', 'reason'],
} as const;
type BaseKey = 'type' | 'from' | 'to' | 'term';
/** The Message variant whose type union includes K (Extract fails on variants sharing a shape). */
type MessageOf<K extends MessageType> = Message extends infer M
  ? M extends { readonly type: infer T }
    ? K extends T
      ? M
      : never
    : never
  : never;
type Unlisted = {
  [K in MessageType]: Exclude<keyof MessageOf<K>, BaseKey | (typeof FIELDS)[K][number]>;
}[MessageType];
/** `never` when every Message field has a place on the wire; otherwise names the missing one. */
const everyFieldEncoded: [Unlisted] extends [never] ? true : { missing: Unlisted } = true;
void everyFieldEncoded;
