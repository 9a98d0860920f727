import test from 'ava';
import fc from 'fast-check';
import { backoffDelayMs } from '../../lib/transport/backoff.js';

test('delays double from the base, stay within [ceiling/2, ceiling] and never pass the cap', (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 100 }),
      fc.double({ min: 0, max: 0.999_999, noNaN: true }),
      (attempt, r) => {
        const ceiling = Math.min(1000, 50 * 2 ** (attempt - 1));
        const delay = backoffDelayMs(attempt, 50, 1000, () => r);
        t.true(delay >= Math.floor(ceiling / 2) && delay <= ceiling, `${attempt}: ${delay}`);
      },
    ),
  );
  t.is(
    backoffDelayMs(1, 50, 1000, () => 0),
    25,
  );
  t.is(
    backoffDelayMs(3, 50, 1000, () => 0.999_999),
    200,
  );
  t.is(
    backoffDelayMs(40, 50, 1000, () => 0.999_999),
    1000,
  );
});
