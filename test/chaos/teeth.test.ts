/**
 * The chaos checker has teeth: each planted node bug (lib/node/options.ts, switched on in every
 * node process through LOGCLUSTER_PLANTED_BUGS) is caught, with the fault mix that makes it bite.
 *
 * - staleReads (linearizable reads served from local state): a follower cut off from incoming
 *   peer traffic keeps answering, and readers aim at it; it misses writes acknowledged since.
 * - ackOnPropose (the leader answers before anything is durable or committed): a leader whose
 *   outgoing peer traffic is cut keeps acknowledging writes no follower ever receives; a new
 *   leader is elected and those writes are gone.
 */
import test from 'ava';
import type { AnomalyKind } from './checker.js';
import { chaosInTest, testSeed } from './harness.js';
import type { ChaosOptions } from './options.js';

/** Bounded runs: one or two fault groups are enough for either bug to bite. */
const TEETH: Partial<ChaosOptions> = {
  durationMs: 6_000,
  warmupMs: 500,
  recoveryMs: 2_000,
  faultGapMs: [300, 600],
  faultLengthMs: [1_500, 2_500],
  writers: 3,
  readers: 3,
};

const CASES: ReadonlyArray<{
  bug: 'staleReads' | 'ackOnPropose';
  mix: Partial<ChaosOptions>;
  expect: AnomalyKind[];
}> = [
  {
    bug: 'staleReads',
    mix: {
      faults: ['isolate-in'],
      target: 'follower',
      consistencies: ['linearizable'],
      readFaultedShare: 0.9,
    },
    expect: ['stale-read', 'stale-logs'],
  },
  {
    bug: 'ackOnPropose',
    mix: { faults: ['isolate-out'], target: 'leader' },
    expect: ['lost-write', 'wrong-index'],
  },
];

for (const { bug, mix, expect } of CASES) {
  test.serial(`planted ${bug} is caught (${expect.join(' / ')})`, async (t) => {
    const result = await chaosInTest(t, testSeed(), { ...TEETH, ...mix, bugs: [bug] });
    const kinds = new Set(result.check.anomalies.map((a) => a.kind));
    t.true(
      expect.some((kind) => kinds.has(kind)),
      `expected ${expect.join(' or ')}; found ${[...kinds].join(', ') || 'nothing'}`,
    );
    const example = result.check.anomalies.find((a) => expect.includes(a.kind));
    t.log(`caught: ${example?.kind}: ${example?.detail}`);
  });
}
