/**
 * A short chaos run in every `npm test`: real node processes, every fault kind, all read levels,
 * and the full checker. Zero anomalies allowed. Longer runs: `npm run chaos -- --duration 300s`.
 */
import test from 'ava';
import { chaosInTest, testSeed } from './harness.js';

/** Long enough for several fault groups; short enough for CI on 2 cores. */
const SMOKE_DURATION_MS = 16_000;

test('chaos smoke: faults of every kind, no anomaly', async (t) => {
  const result = await chaosInTest(t, testSeed(), {
    durationMs: SMOKE_DURATION_MS,
    faultGapMs: [400, 1_200],
    faultLengthMs: [800, 2_500],
    recoveryMs: 3_000,
  });
  const { summary, check } = result;
  t.deepEqual(check.anomalies, [], 'the checker found anomalies');
  t.true(Object.keys(summary.faults).length >= 2, 'several kinds of fault were injected');
  t.true(summary.entriesAcked > 100, 'writes were acknowledged');
  t.is(summary.finalLogEntries >= summary.entriesAcked, true, 'every acknowledged entry is in the final log');
  for (const level of ['linearizable', 'leader', 'local']) {
    t.true((summary.operations[`read:${level}`]?.ok ?? 0) > 0, `reads at ${level} succeeded`);
  }
});
