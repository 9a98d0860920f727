import test from 'ava';
import { type Message, Raft } from '../../lib/consensus/index.js';
import { RaftDriver } from '../../lib/node/raft-driver.js';
import { RaftStorage } from '../../lib/node/raft-storage.js';
import { Prng } from '../../lib/prng.js';
import { SimFileSystem } from '../../lib/testing/sim-file-system.js';
import type { Transport } from '../../lib/transport/index.js';
import { waitFor } from '../helpers/wait.js';

const CONFIG = { voters: ['a', 'b', 'c'], learners: [] };

/** A transport that records what the driver sends. */
function recorder(): Transport & { sent: Message[] } {
  const sent: Message[] = [];
  return {
    sent,
    send: (m) => sent.push(...m),
    onReceive: () => {},
    close: async () => {},
    stats: () => ({}),
  };
}

test("a leader's entries count as sent before its persist: a disk fault cannot call them not stored", async (t) => {
  const fs = new SimFileSystem({ prng: new Prng(7) });
  const storage = await RaftStorage.open(fs, '/a', CONFIG);
  const raft = new Raft({ id: 'a', storage, random: new Prng(1) });
  const transport = recorder();
  const failures: unknown[] = [];
  const driver = new RaftDriver(raft, storage, transport, {
    applyCommitted: () => undefined,
    restoreSnapshot: () => {},
    readStates: () => {},
    storageFailed: (error) => failures.push(error),
  });
  const step = (m: Partial<Message>) => {
    raft.step({ from: 'b', to: 'a', term: 1, ...m } as Message);
    driver.schedule();
  };
  // Elect a (term 1) with b's votes, then let both followers hold the noop.
  raft.campaign();
  driver.schedule();
  await waitFor('a pre-vote', () => transport.sent.some((m) => m.type === 'pre-vote'));
  step({ type: 'pre-vote-response', granted: true });
  await waitFor('a vote request', () => transport.sent.some((m) => m.type === 'vote'));
  step({ type: 'vote-response', granted: true });
  await waitFor('leadership', () => raft.status().role === 'leader' && driver.persistedIndex === 1);
  for (const from of ['b', 'c']) {
    step({ from, type: 'append-response', success: true, index: 1, hintIndex: 0, hintTerm: 0 });
  }
  await waitFor('the noop committed', () => raft.status().commitIndex === 1);
  t.is(driver.sentIndex, 1);

  fs.failNextSyncs('EIO', 1);
  const { index } = raft.propose([new TextEncoder().encode('x')]) as { index: number };
  driver.schedule();
  await waitFor('the disk fault', () => failures.length > 0);
  t.true(driver.failed);
  t.is(driver.persistedIndex, 1, 'the entry was not made durable here');
  t.is(driver.sentIndex, index, 'but it left for the followers before the fsync failed');
  t.true(transport.sent.some((m) => m.type === 'append' && m.entries.some((e) => e.index === index)));
});
