import test from 'ava';
import { splitMessages } from '../../lib/consensus/index.js';
import type { HardState, Message, Ready } from '../../lib/consensus/types.js';

const base = { from: 'a', to: 'b', term: 2 } as const;
const append: Message = { ...base, type: 'append', prevIndex: 1, prevTerm: 1, entries: [], commit: 1 };
const heartbeat: Message = { ...base, type: 'heartbeat', commit: 1, context: '' };
const voteResponse: Message = { ...base, type: 'vote-response', granted: true };
const appendResponse: Message = {
  ...base,
  type: 'append-response',
  success: true,
  index: 3,
  hintIndex: 0,
  hintTerm: 0,
};
const durable: HardState = { term: 2, vote: 'a', commit: 1 };

function ready(messages: Message[], hardState: HardState | null = null): Ready {
  return { hardState, entries: [], snapshot: null, messages, committed: [], readStates: [], mustSync: true };
}

test("a leader's appends and heartbeats leave before the persist; acknowledgements after it", (t) => {
  const split = splitMessages(ready([append, voteResponse, heartbeat, appendResponse]), durable);
  t.deepEqual(split.beforePersist, [append, heartbeat]);
  t.deepEqual(split.afterPersist, [voteResponse, appendResponse]);
});

test('a commit-only hard state change still lets appends go early', (t) => {
  const split = splitMessages(ready([append], { ...durable, commit: 5 }), durable);
  t.deepEqual(split.beforePersist, [append]);
});

test('nothing leaves early while the Ready changes the term or the vote', (t) => {
  for (const hs of [
    { ...durable, term: 3 },
    { ...durable, vote: 'b' },
  ]) {
    const split = splitMessages(ready([append, heartbeat], hs), durable);
    t.deepEqual(split.beforePersist, []);
    t.deepEqual(split.afterPersist, [append, heartbeat]);
  }
});
