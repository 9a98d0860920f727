import test from 'ava';
import { LogClusterError } from '../../lib/errors.js';
import type { LogRecord } from '../../lib/node/entries/record.js';
import { FEED_CATCH_UP_ENTRIES_MAX, LiveFeed } from '../../lib/node/live-feed.js';
import { machine } from './memory-log.js';

function collector() {
  const records: LogRecord[] = [];
  const ends: Array<LogClusterError | undefined> = [];
  return {
    records,
    ends,
    sink: { entry: (r: LogRecord) => records.push(r), end: (e?: LogClusterError) => ends.push(e) },
  };
}

test('catch-up then live, filtered, each entry once and in order', (t) => {
  const m = machine();
  const feed = new LiveFeed(m.sm);
  const publish = (raw: Record<string, unknown>) => {
    const result = m.write(raw);
    if (!result.duplicate) feed.publish(result.index);
  };
  publish({ message: 'a', level: 'error' });
  publish({ message: 'b' });
  publish({ message: 'c', level: 'error' });
  const errors = collector();
  const all = collector();
  const live = collector();
  feed.subscribe({ levels: ['error'] }, 0, errors.sink);
  feed.subscribe({}, 1, all.sink);
  feed.subscribe({}, null, live.sink);
  publish({ message: 'd', level: 'error', id: 'x' });
  publish({ message: 'd again', level: 'error', id: 'x' });
  publish({ message: 'e' });
  t.deepEqual(
    errors.records.map((r) => r.index),
    [1, 3, 4],
  );
  t.deepEqual(
    all.records.map((r) => r.index),
    [2, 3, 4, 6],
  );
  t.deepEqual(
    live.records.map((r) => r.index),
    [4, 6],
  );
  t.is(feed.size, 3);
});

test('close stops deliveries; closeAll ends every sink with the error', (t) => {
  const m = machine();
  const feed = new LiveFeed(m.sm);
  const a = collector();
  const b = collector();
  const sub = feed.subscribe({}, null, a.sink);
  feed.subscribe({}, null, b.sink);
  sub.close();
  sub.close();
  feed.publish(m.write({ message: 'x' }).index);
  t.is(a.records.length, 0);
  t.is(b.records.length, 1);
  feed.closeAll(new LogClusterError('SHUTTING_DOWN'));
  t.is(b.ends[0]?.code, 'SHUTTING_DOWN');
  t.is(feed.size, 0);
});

test('a sink that throws is dropped without failing the publisher', (t) => {
  const m = machine();
  const feed = new LiveFeed(m.sm);
  const ends: unknown[] = [];
  feed.subscribe({}, null, {
    entry: () => {
      throw new Error('consumer bug');
    },
    end: (e) => ends.push(e),
  });
  t.notThrows(() => feed.publish(m.write({ message: 'x' }).index));
  t.is(feed.size, 0);
  t.is((ends[0] as LogClusterError).code, 'INTERNAL');
});

test('a subscription too far behind is ended with OVERLOADED instead of a huge synchronous replay', (t) => {
  const m = machine();
  for (let i = 0; i < FEED_CATCH_UP_ENTRIES_MAX + 5; i++) m.write({ message: `m${i}` });
  const feed = new LiveFeed(m.sm);
  const c = collector();
  feed.subscribe({}, 0, c.sink);
  t.is(c.records.length, FEED_CATCH_UP_ENTRIES_MAX);
  t.is(c.ends[0]?.code, 'OVERLOADED');
  t.is(feed.size, 0);
});
