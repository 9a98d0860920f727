import test from 'ava';
import type { Message } from '../../lib/consensus/index.js';
import { COMMIT_NOTICE_HOLD_MS, CommitNoticeHold } from '../../lib/node/commit-notice-hold.js';
import { waitFor } from '../helpers/wait.js';

function append(to: string, commit: number, entries = 0, term = 2): Message {
  return {
    type: 'append',
    from: 'node1',
    to,
    term,
    prevIndex: 5,
    prevTerm: 2,
    commit,
    entries: Array.from({ length: entries }, (_, i) => ({
      index: 6 + i,
      term,
      type: 'normal' as const,
      data: new Uint8Array(1),
    })),
  } as Message;
}

function recorder(): { sent: Message[][]; hold: CommitNoticeHold } {
  const sent: Message[][] = [];
  return { sent, hold: new CommitNoticeHold({ send: (messages) => sent.push([...messages]) }) };
}

test('a commit notice that a later append to its peer supersedes is never sent', (t) => {
  const { sent, hold } = recorder();
  hold.send([append('node2', 5), append('node3', 5)]);
  t.deepEqual(sent, [], 'held');
  hold.send([append('node2', 6, 2), append('node3', 6, 2)]);
  t.deepEqual(
    sent.map((batch) => batch.map((m) => [m.to, m.type === 'append' ? m.entries.length : -1])),
    [
      [
        ['node2', 2],
        ['node3', 2],
      ],
    ],
  );
  hold.clear();
});

test('a notice rides with other messages to its peer, and the rest leave after the hold', async (t) => {
  const { sent, hold } = recorder();
  hold.send([append('node2', 5), append('node3', 5)]);
  const heartbeat = {
    type: 'heartbeat',
    from: 'node1',
    to: 'node2',
    term: 2,
    commit: 5,
    context: '',
  } as Message;
  hold.send([heartbeat]);
  t.deepEqual(sent, [[append('node2', 5), heartbeat]]);
  const started = Date.now();
  await waitFor('the held notice', () => sent.length === 2, 1000, 1);
  t.true(Date.now() - started >= COMMIT_NOTICE_HOLD_MS - 1);
  t.deepEqual(sent[1], [append('node3', 5)]);
});

test('an append of a newer term does not supersede a notice of an older one; clear() drops what is held', (t) => {
  const { sent, hold } = recorder();
  hold.send([append('node2', 5, 0, 2)]);
  hold.send([append('node2', 6, 1, 3)]);
  t.deepEqual(sent, [[append('node2', 5, 0, 2), append('node2', 6, 1, 3)]]);
  hold.send([append('node3', 6)]);
  hold.clear();
  hold.flush();
  t.is(sent.length, 1);
});
