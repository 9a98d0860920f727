import test from 'ava';
import { HISTOGRAM_VALUE_US_MAX, LatencyHistogram } from '../../lib/bench/histogram.js';
import { Prng } from '../../lib/prng.js';

function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

test('quantiles match the exact ones within 0.1% over six orders of magnitude', (t) => {
  const prng = new Prng(7);
  const h = new LatencyHistogram();
  const values: number[] = [];
  for (let i = 0; i < 50_000; i++) {
    // Log-uniform from 1 µs to ~1 s: exercises the linear part and many exponents.
    const v = Math.floor(Math.exp((prng.nextInt(1_000_000) / 1_000_000) * Math.log(1e6)));
    values.push(v);
    h.record(v);
  }
  values.sort((a, b) => a - b);
  t.is(h.count, values.length);
  for (const q of [0.001, 0.1, 0.5, 0.9, 0.99, 0.999, 1]) {
    const exact = exactQuantile(values, q);
    const got = h.quantileUs(q);
    t.true(got >= exact && got <= exact * 1.001 + 1, `q=${q}: ${got} vs exact ${exact}`);
  }
  t.is(h.maxUs, values[values.length - 1]);
  t.true(Math.abs(h.meanUs - values.reduce((a, b) => a + b, 0) / values.length) < 1);
});

test('empty, negative and huge samples', (t) => {
  const h = new LatencyHistogram();
  t.is(h.quantileUs(0.5), 0);
  t.is(h.meanUs, 0);
  h.record(-5);
  t.is(h.quantileUs(1), 0);
  h.record(1e12);
  t.is(h.quantileUs(1), HISTOGRAM_VALUE_US_MAX);
  t.is(h.count, 2);
});
