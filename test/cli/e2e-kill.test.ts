import test from 'ava';
import { faultCycle } from './fault-cycle.js';

test('start --detach, fail the leader with --mode kill, recover, stop', async (t) => {
  await faultCycle(t, 'kill');
});
