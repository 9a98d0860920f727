/**
 * A starting cluster elects its first leader as soon as its nodes reach each other (each node
 * connects to its peers at start, and a follower that knows no leader polls shortly after a peer
 * answers), not one whole election timeout later.
 */
import test from 'ava';
import { startCluster } from '../helpers/node-cluster.js';

/** Long enough that a timeout-driven first election is unmistakable. */
const ELECTION_TIMEOUT_MS = 5_000;

test('a new 3-node cluster elects a leader well before its first election timeout', async (t) => {
  const started = performance.now();
  // startCluster resolves once every node agrees on a leader.
  const cluster = await startCluster(3, { electionTimeoutMs: ELECTION_TIMEOUT_MS, tickIntervalMs: 50 });
  const elapsedMs = performance.now() - started;
  t.teardown(() => cluster.close());
  // Without the early poll no node could campaign before ELECTION_TIMEOUT_MS; with it, within
  // UNREACHABLE_DELAY_SHARE (30%) of it after the peers connect.
  t.true(elapsedMs < ELECTION_TIMEOUT_MS * 0.8, `first leader after ${elapsedMs.toFixed(0)} ms`);
  t.is(cluster.nodes.get(await cluster.leader())?.status().term, 1, 'one election');
});
