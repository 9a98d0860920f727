import test from 'ava';
import { resolveBenchOptions } from '../../lib/bench/options.js';
import { median, quantile, spreadPercent, summarize } from '../../lib/bench/stats.js';
import { LogClusterError } from '../../lib/errors.js';

test('median, spread and quantile', (t) => {
  t.is(median([3, 1, 2]), 2);
  t.is(median([4, 1, 3, 2]), 2.5);
  t.true(Number.isNaN(median([])));
  t.is(spreadPercent([90, 100, 110]), 20);
  t.is(spreadPercent([5]), 0);
  t.is(quantile([5, 1, 4, 2, 3], 0.99), 5);
  t.is(quantile([5, 1, 4, 2, 3], 0.5), 3);
  t.deepEqual(summarize([2, 1, 3]), { median: 2, spreadPercent: 100, runs: [2, 1, 3] });
});

test('defaults of a full and a quick run', (t) => {
  const full = resolveBenchOptions();
  t.is(full.durationSec, 5);
  t.is(full.runs, 3);
  t.is(full.queryEntries, 1_000_000);
  t.is(full.reopenBytes, 2 ** 30);
  t.is(full.failoverRounds, 20);
  t.is(full.scenarios.length, 8);
  t.false(full.compareEtcd);
  const quick = resolveBenchOptions({ quick: true, only: ['write,read'], compare: ['etcd'] });
  t.is(quick.durationSec, 1);
  t.is(quick.queryEntries, 100_000);
  t.is(quick.failoverRounds, 5);
  t.deepEqual(quick.scenarios, ['write', 'read']);
  t.true(quick.compareEtcd);
});

test('bad options name the option', (t) => {
  const bad = (options: Parameters<typeof resolveBenchOptions>[0], option: string) => {
    const error = t.throws(() => resolveBenchOptions(options), { instanceOf: LogClusterError });
    t.is(error?.code, 'INVALID_OPTION');
    t.is((error?.details as { option?: string } | undefined)?.option, option);
  };
  bad({ only: ['writes'] }, 'only');
  bad({ compare: ['nats'] }, 'compare');
  bad({ durationSec: 0 }, 'duration');
  bad({ durationSec: 10_000 }, 'duration');
  bad({ runs: 0 }, 'runs');
  bad({ dir: '/dev/shm' }, 'dir'); // tmpfs: fdatasync would be free
});
